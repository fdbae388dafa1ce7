/* bcryptprimitives.dll for Wine 8.0, which has none: Go's runtime loads
 * ProcessPrng from it at start and dies without it. The real ProcessPrng
 * fills the buffer from the system's generator and never fails; here it
 * forwards to RtlGenRandom (advapi32's SystemFunction036), which Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) { /* RtlGenRandom takes a ULONG length */
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
