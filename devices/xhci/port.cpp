#include "devices/xhci/port.hpp"

namespace xhci {

std::uint32_t Port::portsc() const {
  std::uint32_t v = 0;
  if (connected()) v |= kPortCcs;
  if (ped) v |= kPortPed;
  if (pr || wpr) v |= kPortPr;
  v |= static_cast<std::uint32_t>(pls) << kPortPlsShift;
  if (pp) v |= kPortPp;
  if (connected()) v |= std::uint32_t{speed} << kPortSpeedShift;
  v |= std::uint32_t{pic} << 14;
  v |= change;
  v |= wake;
  if (!connected()) v |= 0;  // DR (Device Removable) = 0: devices may be unplugged
  return v;
}

std::uint8_t psi_of(usb::Speed s) {
  switch (s) {
    case usb::Speed::low: return kPsiLow;
    case usb::Speed::full: return kPsiFull;
    case usb::Speed::high: return kPsiHigh;
    case usb::Speed::super: return kPsiSuper;
  }
  return 0;
}

}  // namespace xhci
