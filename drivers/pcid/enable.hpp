// Enabling a function before its driver starts (what firmware and the bus
// driver do on a real machine):
//  - MSI and MSI-X off (Enable and Multiple Message Enable cleared, MSI-X
//    Function Mask cleared) until the driver asks for one through pcid;
//  - PCIe Device Control Max_Payload_Size set to the largest the function
//    supports, but at most 256 bytes: what a typical root port supports, and
//    a function must not send TLPs larger than its link partner takes
//    (PCIe Base §7.5.3.4). Max_Read_Request_Size is left at its reset value;
//  - Command: Bus Master Enable, and Memory Space Enable once every memory
//    BAR has an address (a BAR left unassigned must not decode).
// INTx is left as reset (enabled); a driver disables it with EnableFeature.
#pragma once

#include "drivers/pcid/ecam.hpp"
#include "drivers/pcid/function.hpp"

namespace pcid {

inline constexpr unsigned kRootPortMaxPayload = 256;

void disable_msi(const Ecam& ecam, const Function& f);
void disable_msix(const Ecam& ecam, const Function& f);
/// Programs Max_Payload_Size; returns the bytes chosen (f.pcie.max_payload).
unsigned set_max_payload(const Ecam& ecam, Function& f);
void enable_function(const Ecam& ecam, Function& f);

}  // namespace pcid
