package firewall

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"unsafe"

	"github.com/netguard/netguard/checks/internal/wincall"
	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows"
)

// The Windows Filtering Platform's management API (fwpuclnt.dll).
var (
	winFwpuclnt                              = windows.NewLazySystemDLL("fwpuclnt.dll")
	winFwpmEngineOpen0                       = winFwpuclnt.NewProc("FwpmEngineOpen0")
	winFwpmEngineClose0                      = winFwpuclnt.NewProc("FwpmEngineClose0")
	winFwpmFilterCreateEnumHandle0           = winFwpuclnt.NewProc("FwpmFilterCreateEnumHandle0")
	winFwpmFilterEnum0                       = winFwpuclnt.NewProc("FwpmFilterEnum0")
	winFwpmFilterDestroyEnumHandle0          = winFwpuclnt.NewProc("FwpmFilterDestroyEnumHandle0")
	winFwpmFreeMemory0                       = winFwpuclnt.NewProc("FwpmFreeMemory0")
	winFwpmProviderCreateEnumHandle0         = winFwpuclnt.NewProc("FwpmProviderCreateEnumHandle0")
	winFwpmProviderEnum0                     = winFwpuclnt.NewProc("FwpmProviderEnum0")
	winFwpmProviderDestroyEnumHandle0        = winFwpuclnt.NewProc("FwpmProviderDestroyEnumHandle0")
	errWFPNeedsElevation                     = errors.New("the Windows Filtering Platform's filters are readable only from an elevated prompt")
	winWFPLayers                             = []string{wfpLayerConnectV4, wfpLayerConnectV6}
	winWFPBatch                       uint32 = 512
	winWFPMaxFilters                         = 20000
)

// winFilterEnumTemplate mirrors FWPM_FILTER_ENUM_TEMPLATE0 (fwpmtypes.h):
// Go lays it out as C does on amd64, arm64 and 386 (no 8-byte member), 72
// bytes on 64-bit (checked with offsetof against mingw-w64's header).
type winFilterEnumTemplate struct {
	ProviderKey             *windows.GUID
	LayerKey                windows.GUID
	EnumType                uint32 // FWP_FILTER_ENUM_OVERLAPPING
	Flags                   uint32
	ProviderContextTemplate uintptr
	NumFilterConditions     uint32
	FilterCondition         uintptr
	ActionMask              uint32
	CalloutKey              *windows.GUID
}

// winRPCAuthnWinNT is RPC_C_AUTHN_WINNT (rpcdce.h).
const winRPCAuthnWinNT = 10

// winMem reads memory the WFP API returned: C allocations, valid until
// FwpmFreeMemory0, which the decoder copies out of before that.
func winMem(addr uint64, n int) []byte {
	if addr == 0 || n <= 0 {
		return nil
	}
	a := uintptr(addr)
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&a))), n)
}

// wfpFilters reads the filters of the connect layers as WFP chains: the
// providers first (a handful), then the filters of each provider that is
// not Windows' own: Windows Firewall's thousands of filters are not
// fetched (the policy store holds its rules), and a machine without a
// third-party provider (no VPN client, no security agent) costs two calls. Filters without a provider are not
// read. Without elevation (privileged false) it returns
// errWFPNeedsElevation at once: the engine would refuse the enumeration
// (ERROR_ACCESS_DENIED) after a round trip to the filtering service.
func wfpFilters(ctx context.Context, privileged bool) ([]netstate.FWChain, error) {
	if !privileged {
		return nil, errWFPNeedsElevation
	}
	if err := winFwpuclnt.Load(); err != nil {
		return nil, fmt.Errorf("load fwpuclnt.dll: %w", err)
	}
	var engine windows.Handle
	if err := wincall.Call(winFwpmEngineOpen0, 0, winRPCAuthnWinNT, 0, 0, uintptr(unsafe.Pointer(&engine))); err != nil {
		return nil, fmt.Errorf("FwpmEngineOpen0: %w", err)
	}
	defer wincall.Call(winFwpmEngineClose0, uintptr(engine))
	l := wfpLayout(int(unsafe.Sizeof(uintptr(0))))
	providers, err := wfpProviders(ctx, engine, l)
	if err != nil {
		return nil, err
	}
	var filters []wfpFilter
	for _, key := range slices.Sorted(maps.Keys(providers)) {
		if slices.Contains(wfpBuiltinProviders, key) {
			continue
		}
		pk, err := windows.GUIDFromString("{" + key + "}")
		if err != nil {
			continue
		}
		for _, layer := range winWFPLayers {
			fs, err := wfpEnum(ctx, engine, layer, &pk, l)
			if err != nil {
				return nil, err
			}
			filters = append(filters, fs...)
		}
	}
	return wfpChains(filters, providers, winIfAlias), nil
}

// wfpProviders lists the providers by key with their display names.
func wfpProviders(ctx context.Context, engine windows.Handle, l wfpFilterLayout) (map[string]string, error) {
	var h windows.Handle
	if err := wincall.Call(winFwpmProviderCreateEnumHandle0, uintptr(engine), 0, uintptr(unsafe.Pointer(&h))); err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			return nil, fmt.Errorf("FwpmProviderCreateEnumHandle0: %w: %w", errWFPNeedsElevation, err)
		}
		return nil, fmt.Errorf("FwpmProviderCreateEnumHandle0: %w", err)
	}
	defer wincall.Call(winFwpmProviderDestroyEnumHandle0, uintptr(engine), uintptr(h))
	out := map[string]string{}
	err := wfpEnumBatches(ctx, winFwpmProviderEnum0, engine, h, l, func(p uint64) error {
		key, name, err := decodeWFPProvider(winMem, p, l)
		if err == nil {
			out[key] = name
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// wfpEnum enumerates one provider's filters at one layer in batches.
func wfpEnum(ctx context.Context, engine windows.Handle, layer string, provider *windows.GUID, l wfpFilterLayout) ([]wfpFilter, error) {
	key, err := windows.GUIDFromString("{" + layer + "}")
	if err != nil {
		return nil, err
	}
	tmpl := winFilterEnumTemplate{ProviderKey: provider, LayerKey: key, EnumType: 1, ActionMask: 0xffffffff}
	var h windows.Handle
	if err := wincall.Call(winFwpmFilterCreateEnumHandle0, uintptr(engine), uintptr(unsafe.Pointer(&tmpl)), uintptr(unsafe.Pointer(&h))); err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			return nil, fmt.Errorf("FwpmFilterCreateEnumHandle0: %w: %w", errWFPNeedsElevation, err)
		}
		return nil, fmt.Errorf("FwpmFilterCreateEnumHandle0: %w", err)
	}
	defer wincall.Call(winFwpmFilterDestroyEnumHandle0, uintptr(engine), uintptr(h))
	var out []wfpFilter
	err = wfpEnumBatches(ctx, winFwpmFilterEnum0, engine, h, l, func(p uint64) error {
		f, err := decodeWFPFilter(winMem, p, l)
		if err == nil {
			out = append(out, f)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// wfpEnumBatches pages through the open enumeration h with enum
// (FwpmProviderEnum0 or FwpmFilterEnum0), calling each with the address of
// every entry, winWFPMaxFilters entries at most. An entry lives in the
// batch's memory, freed when the batch is done, so each copies out what
// it keeps.
func wfpEnumBatches(ctx context.Context, enum *windows.LazyProc, engine, h windows.Handle, l wfpFilterLayout, each func(addr uint64) error) error {
	for read := 0; read < winWFPMaxFilters; {
		if err := ctx.Err(); err != nil {
			return err
		}
		var entries uintptr
		var n uint32
		if err := wincall.Call(enum, uintptr(engine), uintptr(h), uintptr(winWFPBatch), uintptr(unsafe.Pointer(&entries)), uintptr(unsafe.Pointer(&n))); err != nil {
			return fmt.Errorf("%s: %w", enum.Name, err)
		}
		if entries == 0 || n == 0 {
			return nil
		}
		// entries is an array of n pointers, one to each entry.
		ptrs := winMem(uint64(entries), int(n)*l.ptr)
		var err error
		for i := range int(n) {
			if err = each(l.wfpPtr(ptrs[i*l.ptr:])); err != nil {
				break
			}
		}
		wincall.Call(winFwpmFreeMemory0, uintptr(unsafe.Pointer(&entries)))
		if err != nil {
			return err
		}
		read += int(n)
		if n < winWFPBatch {
			return nil
		}
	}
	return nil
}

// winIfAlias names an interface by LUID ("Wi-Fi", "wg0"). A LUID no
// interface has any more (a kill switch's tunnel that is gone) gets a name
// no interface has, so that the permit is known to match nothing; "" when
// the lookup failed otherwise.
func winIfAlias(luid uint64) string {
	row := &windows.MibIfRow2{InterfaceLuid: luid}
	err := windows.GetIfEntry2Ex(windows.MibIfEntryNormalWithoutStatistics, row)
	switch {
	case err == nil:
		return windows.UTF16ToString(row.Alias[:])
	case errors.Is(err, windows.ERROR_FILE_NOT_FOUND):
		return fmt.Sprintf("LUID %#x (no such interface)", luid)
	}
	return ""
}
