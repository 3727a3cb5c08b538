// Interrupt features a driver asks pcid for (pcid owns configuration space):
// MSI and MSI-X enable (mutually exclusive: enabling one disables the other,
// PCI 3.0 §6.8.2), INTx disable, the MSI message and mask, the MSI-X
// Function Mask. The MSI-X table itself lives in a BAR the driver maps.
// Each returns the errno of protocol.hpp on a bad request.
#pragma once

#include <cstdint>

#include "drivers/hal/result.hpp"
#include "drivers/pcid/ecam.hpp"
#include "drivers/pcid/function.hpp"
#include "drivers/pcid/protocol.hpp"

namespace pcid {

/// EnableFeature (on = true) / DisableFeature. `feature` is the raw SQE value.
hal::Result<void> set_feature(const Ecam& ecam, const Function& f, std::uint64_t feature, bool on);
/// Message Address, Message Data and Multiple Message Enable; the vectors enabled.
hal::Result<std::uint64_t> set_msi_message(const Ecam& ecam, const Function& f, std::uint64_t address,
                                           std::uint64_t data, std::uint64_t vectors);
/// Writes the Mask Bits; returns them as read back.
hal::Result<std::uint64_t> set_msi_mask(const Ecam& ecam, const Function& f, std::uint64_t bits);
hal::Result<void> set_msix_function_mask(const Ecam& ecam, const Function& f, std::uint64_t on);

}  // namespace pcid
