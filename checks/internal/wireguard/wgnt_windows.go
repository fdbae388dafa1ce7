package wireguard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/netguard/netguard/checks/netstate"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// winGUIDDevInterfaceNet is GUID_DEVINTERFACE_NET (ndisguid.h): the
// interface WireGuard-NT answers its ioctls on.
var winGUIDDevInterfaceNet = windows.GUID{Data1: 0xcac88484, Data2: 0x7515, Data3: 0x4c03, Data4: [8]byte{0x82, 0xe6, 0x71, 0xa8, 0x7a, 0xba, 0xc3, 0x61}}

// winNetClass holds each adapter's PnP instance, under its NetCfgInstanceId
// (the class GUID is GUID_DEVCLASS_NET).
const winNetClass = `SYSTEM\CurrentControlSet\Control\Network\{4D36E972-E325-11CE-BFC1-08002BE10318}`

// winWGNTMax bounds the answer: a tunnel with thousands of peers is
// larger, and is then not read.
const winWGNTMax = 1 << 20

// Inspect reads a WireGuard-NT adapter's peers through the driver's
// own WG_IOCTL_GET on the adapter's device interface, as wireguard-nt's
// own API does (api/adapter.c). guid is the adapter's NetCfgInstanceId
// (IP_ADAPTER_ADDRESSES' AdapterName), which the OS layer finds by
// ifName. Only administrators may open the adapter's device; a tunnel of
// another driver (Wintun, OpenVPN's, a vendor's) is ErrUnsupported.
func Inspect(ctx context.Context, ifName, guid string) (netstate.TunnelInfo, error) {
	info := netstate.TunnelInfo{IfName: ifName}
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, winNetClass+`\`+guid+`\Connection`, registry.QUERY_VALUE)
	if err != nil {
		return info, fmt.Errorf("inspect tunnel %s: its PnP instance: %w", ifName, err)
	}
	instance, _, err := k.GetStringValue("PnPInstanceId")
	k.Close()
	if err != nil {
		return info, fmt.Errorf("inspect tunnel %s: its PnP instance: %w", ifName, err)
	}
	// WireGuard-NT's adapters carry its hardware ID, whichever enumerator
	// made them (SWD\WireGuard, ROOT\WireGuard on Windows 7, ROOT\NET in
	// older versions): the check its own API makes before any ioctl.
	if !winHasHardwareID(instance, "WireGuard") {
		return info, fmt.Errorf("inspect tunnel %s: not a WireGuard-NT adapter (%s): %w", ifName, instance, netstate.ErrUnsupported)
	}
	paths, err := windows.CM_Get_Device_Interface_List(instance, &winGUIDDevInterfaceNet, windows.CM_GET_DEVICE_INTERFACE_LIST_PRESENT)
	if err != nil || len(paths) == 0 || paths[0] == "" {
		return info, fmt.Errorf("inspect tunnel %s: no device interface for %s: %v", ifName, instance, err)
	}
	p, err := windows.UTF16PtrFromString(paths[0])
	if err != nil {
		return info, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return info, fmt.Errorf("inspect tunnel %s: open its device: %w", ifName, err)
	}
	defer windows.CloseHandle(h)
	buf := make([]byte, 4096)
	// The answer grows between calls only if peers are added meanwhile.
	for range 4 {
		if err := ctx.Err(); err != nil {
			return info, err
		}
		var n uint32
		err := windows.DeviceIoControl(h, wgntIoctlGet, nil, 0, unsafe.SliceData(buf), uint32(len(buf)), &n, nil)
		if errors.Is(err, windows.ERROR_MORE_DATA) && int(n) > len(buf) && n <= winWGNTMax {
			buf = make([]byte, n)
			continue
		}
		if err != nil {
			return info, fmt.Errorf("inspect tunnel %s: WG_IOCTL_GET: %w", ifName, err)
		}
		got, err := parseWGNT(buf[:n], time.Now())
		got.IfName = ifName
		if err != nil {
			return info, fmt.Errorf("inspect tunnel %s: %w", ifName, err)
		}
		return got, nil
	}
	return info, fmt.Errorf("inspect tunnel %s: WG_IOCTL_GET: the answer kept growing", ifName)
}

// winHasHardwareID reports whether the device instance lists id among its
// hardware IDs (the Enum key's HardwareID, readable without elevation).
func winHasHardwareID(instance, id string) bool {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Enum\`+instance, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	ids, _, err := k.GetStringsValue("HardwareID")
	return err == nil && slices.ContainsFunc(ids, func(h string) bool { return strings.EqualFold(h, id) })
}
