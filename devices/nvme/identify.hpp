// Identify data structures (§5.15.2): Identify Controller (CNS 01h),
// Identify Namespace (CNS 00h, NVM command set §6.1.5 figure 245) and the
// Active Namespace ID list (CNS 02h). Each is 4096 bytes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "devices/nvme/namespace.hpp"
#include "devices/nvme/params.hpp"

namespace nvme {

using IdentifyData = std::array<std::uint8_t, 4096>;

void build_identify_controller(const NvmeParams& p, std::uint32_t nn, IdentifyData& out);
void build_identify_namespace(const Namespace& ns, const NvmeParams& p, IdentifyData& out);
/// Active NSIDs greater than `after`, ascending, at most 1024.
void build_active_ns_list(const std::vector<std::unique_ptr<Namespace>>& namespaces, std::uint32_t after,
                          IdentifyData& out);

}  // namespace nvme
