rule r {
  strings:
    $a = { 5f        // pop edi {__saved_edi}
           49 /* dec ecx } */ 5e }
  condition: $a }
