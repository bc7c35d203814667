/* exe/ordnames.c - names of functions that PE files import by ordinal
 * from the few DLLs whose ordinals are fixed and well known: Winsock 1.1
 * (the same numbers in ws2_32.dll and wsock32.dll) and the common OLE
 * Automation exports of oleaut32.dll, as Windows exports them.
 *
 * Import hashes use the names, not "ordN", for these DLLs: clamscan's .imp
 * matching does (an import of ws2_32 ordinal 1 hashes as "ws2_32.accept";
 * tests/e2e/diff_exe.sh), as pefile's imphash does; the YARA pe module
 * names them from this table too. */
#include "exe_int.h"

#include <string.h>
#include <strings.h>

typedef struct ordname {
    uint16_t ord;
    const char *name;
} ordname;

static const ordname winsock_ords[] = {
    {1, "accept"}, {2, "bind"}, {3, "closesocket"}, {4, "connect"}, {5, "getpeername"},
    {6, "getsockname"}, {7, "getsockopt"}, {8, "htonl"}, {9, "htons"}, {10, "ioctlsocket"},
    {11, "inet_addr"}, {12, "inet_ntoa"}, {13, "listen"}, {14, "ntohl"}, {15, "ntohs"},
    {16, "recv"}, {17, "recvfrom"}, {18, "select"}, {19, "send"}, {20, "sendto"},
    {21, "setsockopt"}, {22, "shutdown"}, {23, "socket"}, {51, "gethostbyaddr"},
    {52, "gethostbyname"}, {53, "getprotobyname"}, {54, "getprotobynumber"},
    {55, "getservbyname"}, {56, "getservbyport"}, {57, "gethostname"},
    {101, "WSAAsyncSelect"}, {102, "WSAAsyncGetHostByAddr"}, {103, "WSAAsyncGetHostByName"},
    {104, "WSAAsyncGetProtoByNumber"}, {105, "WSAAsyncGetProtoByName"},
    {106, "WSAAsyncGetServByPort"}, {107, "WSAAsyncGetServByName"},
    {108, "WSACancelAsyncRequest"}, {109, "WSASetBlockingHook"},
    {110, "WSAUnhookBlockingHook"}, {111, "WSAGetLastError"}, {112, "WSASetLastError"},
    {113, "WSACancelBlockingCall"}, {114, "WSAIsBlocking"}, {115, "WSAStartup"},
    {116, "WSACleanup"}, {151, "__WSAFDIsSet"}, {500, "WEP"},
};
static const ordname oleaut_ords[] = {
    {2, "SysAllocString"}, {3, "SysReAllocString"}, {4, "SysAllocStringLen"},
    {5, "SysReAllocStringLen"}, {6, "SysFreeString"}, {7, "SysStringLen"}, {8, "VariantInit"},
    {9, "VariantClear"}, {10, "VariantCopy"}, {11, "VariantCopyInd"}, {12, "VariantChangeType"},
    {13, "VariantTimeToDosDateTime"}, {14, "DosDateTimeToVariantTime"}, {15, "SafeArrayCreate"},
    {16, "SafeArrayDestroy"}, {17, "SafeArrayGetDim"}, {18, "SafeArrayGetElemsize"},
    {19, "SafeArrayGetUBound"}, {20, "SafeArrayGetLBound"}, {21, "SafeArrayLock"},
    {22, "SafeArrayUnlock"}, {23, "SafeArrayAccessData"}, {24, "SafeArrayUnaccessData"},
    {25, "SafeArrayGetElement"}, {26, "SafeArrayPutElement"}, {27, "SafeArrayCopy"},
    {28, "DispGetParam"}, {29, "DispGetIDsOfNames"}, {30, "DispInvoke"},
    {31, "CreateDispTypeInfo"}, {32, "CreateStdDispatch"}, {33, "RegisterActiveObject"},
    {34, "RevokeActiveObject"}, {35, "GetActiveObject"}, {36, "SafeArrayAllocDescriptor"},
    {37, "SafeArrayAllocData"}, {38, "SafeArrayDestroyDescriptor"},
    {39, "SafeArrayDestroyData"}, {40, "SafeArrayRedim"}, {161, "LoadTypeLib"},
    {162, "LoadRegTypeLib"}, {163, "RegisterTypeLib"}, {200, "GetErrorInfo"},
    {201, "SetErrorInfo"}, {202, "CreateErrorInfo"},
};

/* DLL name without a .dll/.ocx/.sys extension, compared case-blind. */
static int dll_base_is(const char *dll, const char *base)
{
    size_t n = strlen(dll), b = strlen(base);
    if (n > 4 && (!strcasecmp(dll + n - 4, ".dll") || !strcasecmp(dll + n - 4, ".ocx") ||
                  !strcasecmp(dll + n - 4, ".sys")))
        n -= 4;
    return n == b && !strncasecmp(dll, base, n);
}

const char *vg_pe_ordinal_name(const char *dll, unsigned ord)
{
    const ordname *t = NULL;
    size_t n = 0, i;
    if (!dll)
        return NULL;
    if (dll_base_is(dll, "ws2_32") || dll_base_is(dll, "wsock32")) {
        t = winsock_ords;
        n = sizeof winsock_ords / sizeof winsock_ords[0];
    } else if (dll_base_is(dll, "oleaut32")) {
        t = oleaut_ords;
        n = sizeof oleaut_ords / sizeof oleaut_ords[0];
    }
    for (i = 0; i < n; i++)
        if (t[i].ord == ord)
            return t[i].name;
    return NULL;
}
