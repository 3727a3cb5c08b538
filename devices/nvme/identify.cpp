#include "devices/nvme/identify.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "devices/nvme/nvme_spec.hpp"

namespace nvme {
namespace {

template <class T>
void put(IdentifyData& d, std::size_t off, T v) {
  std::memcpy(d.data() + off, &v, sizeof v);
}

/// ASCII string field, space padded, as SN/MN/FR require (§5.15.2.2).
void put_ascii(IdentifyData& d, std::size_t off, std::size_t len, const std::string& s) {
  std::memset(d.data() + off, ' ', len);
  std::memcpy(d.data() + off, s.data(), std::min(len, s.size()));
}

}  // namespace

void build_identify_controller(const NvmeParams& p, std::uint32_t nn, IdentifyData& d) {
  d.fill(0);
  put<std::uint16_t>(d, 0, p.vendor_id);              // VID
  put<std::uint16_t>(d, 2, p.subsystem_vendor_id);    // SSVID
  put_ascii(d, 4, 20, p.serial);                      // SN
  put_ascii(d, 24, 40, p.model);                      // MN
  put_ascii(d, 64, 8, p.firmware);                    // FR
  d[72] = 0;                                          // RAB: 2^0 commands
  d[77] = static_cast<std::uint8_t>(p.mdts);          // MDTS
  put<std::uint16_t>(d, 78, 0);                       // CNTLID
  put<std::uint32_t>(d, 80, kVersion14);              // VER
  d[111] = 1;                                         // CNTRLTYPE: I/O controller
  put<std::uint16_t>(d, 256, 0);                      // OACS: no optional admin commands
  d[258] = static_cast<std::uint8_t>(p.acl);          // ACL
  d[259] = static_cast<std::uint8_t>(p.aerl);         // AERL
  d[260] = 0x02;                                      // FRMW: one firmware slot
  d[261] = 0x04;                                      // LPA: extended data for Get Log Page (NUMDU, LPO)
  d[262] = static_cast<std::uint8_t>(p.elpe);         // ELPE
  d[263] = 0;                                         // NPSS: one power state
  put<std::uint16_t>(d, 266, 343);                    // WCTEMP: 70 C in kelvin
  put<std::uint16_t>(d, 268, 358);                    // CCTEMP: 85 C
  d[512] = (kSqesLog2 << 4) | kSqesLog2;              // SQES: max 4:7, required 3:0
  d[513] = (kCqesLog2 << 4) | kCqesLog2;              // CQES
  put<std::uint32_t>(d, 516, nn);                     // NN
  put<std::uint16_t>(d, 520, 0x000C);                 // ONCS: Dataset Management, Write Zeroes
  // VWC: bit 0 present; bits 2:1 = 11b, Flush with NSID FFFFFFFFh applies to all namespaces.
  d[525] = p.volatile_write_cache ? 0x07 : 0x00;
  d[530] = 1;                                         // NVSCC: NVM vendor specific command format
  put<std::uint32_t>(d, 536, 0);                      // SGLS: SGLs not supported
  const std::string nqn = "nqn.2019-08.org.drvsim:nvme:" + p.serial;
  std::memcpy(d.data() + 768, nqn.data(), std::min<std::size_t>(nqn.size(), 255));  // SUBNQN
  put<std::uint16_t>(d, 2048, 600);                   // PSD0.MP: 6.00 W
}

void build_identify_namespace(const Namespace& ns, const NvmeParams& p, IdentifyData& d) {
  d.fill(0);
  put<std::uint64_t>(d, 0, ns.blocks());   // NSZE
  put<std::uint64_t>(d, 8, ns.blocks());   // NCAP
  put<std::uint64_t>(d, 16, ns.blocks());  // NUSE
  d[24] = 0;                               // NSFEAT
  d[25] = 0;                               // NLBAF: one format (0's based)
  d[26] = 0;                               // FLBAS: format 0, no metadata
  // DLFEAT: deallocated blocks read as zeros (001b); Write Zeroes supports DEAC (bit 3).
  d[33] = 0x09;
  const std::uint64_t bytes = ns.blocks() * ns.lba_bytes();
  put<std::uint64_t>(d, 48, bytes);        // NVMCAP (low 64 bits)
  // NGUID: vendor ID, then the namespace ID; unique per controller and stable.
  put<std::uint16_t>(d, 104, p.vendor_id);
  put<std::uint32_t>(d, 116, ns.nsid());
  put<std::uint32_t>(d, 128, std::uint32_t{ns.lbads()} << 16);  // LBAF0: MS 0, LBADS, RP 0 (best)
}

void build_active_ns_list(const std::vector<std::unique_ptr<Namespace>>& namespaces, std::uint32_t after,
                          IdentifyData& d) {
  d.fill(0);
  std::vector<std::uint32_t> ids;
  for (const auto& ns : namespaces)
    if (ns->nsid() > after) ids.push_back(ns->nsid());
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 0; i < ids.size() && i < 1024; ++i) put<std::uint32_t>(d, i * 4, ids[i]);
}

}  // namespace nvme
