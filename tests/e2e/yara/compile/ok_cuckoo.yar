import "cuckoo"
rule r { condition: cuckoo.network.dns_lookup(/evil/) or cuckoo.sync.mutex(/m/) or cuckoo.network.tcp(/x/, 80) }
