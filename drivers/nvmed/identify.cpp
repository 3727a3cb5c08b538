#include "drivers/nvmed/identify.hpp"

#include <cstring>

namespace nvmed {

namespace {

template <class T>
T get(std::span<const std::uint8_t> p, std::size_t off) {
  T v{};
  if (off + sizeof(T) <= p.size()) std::memcpy(&v, p.data() + off, sizeof(T));
  return v;
}

/// An ASCII field (SN, MN, FR: space padded, §5.15.2.2), trailing blanks and
/// NULs removed, non-printable bytes replaced by '?'.
std::string ascii(std::span<const std::uint8_t> p, std::size_t off, std::size_t len) {
  std::string s;
  for (std::size_t i = off; i < off + len && i < p.size(); ++i) {
    const auto c = static_cast<char>(p[i]);
    s += (p[i] >= 0x20 && p[i] < 0x7F) || p[i] == 0 ? c : '?';
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  for (char& c : s)
    if (c == '\0') c = ' ';
  return s;
}

}  // namespace

ControllerIdentity parse_identify_controller(std::span<const std::uint8_t> p) {
  ControllerIdentity c;
  c.vid = get<std::uint16_t>(p, 0);
  c.ssvid = get<std::uint16_t>(p, 2);
  c.sn = ascii(p, 4, 20);
  c.mn = ascii(p, 24, 40);
  c.fr = ascii(p, 64, 8);
  c.mdts = get<std::uint8_t>(p, 77);
  c.cntlid = get<std::uint16_t>(p, 78);
  c.ver = get<std::uint32_t>(p, 80);
  c.acl = get<std::uint8_t>(p, 258);
  c.aerl = get<std::uint8_t>(p, 259);
  c.sqes = get<std::uint8_t>(p, 512);
  c.cqes = get<std::uint8_t>(p, 513);
  c.nn = get<std::uint32_t>(p, 516);
  c.oncs = get<std::uint16_t>(p, 520);
  c.vwc = get<std::uint8_t>(p, 525);
  return c;
}

hal::Result<NamespaceIdentity> parse_identify_namespace(std::span<const std::uint8_t> p) {
  NamespaceIdentity n;
  n.nsze = get<std::uint64_t>(p, 0);
  n.ncap = get<std::uint64_t>(p, 8);
  n.nuse = get<std::uint64_t>(p, 16);
  n.nsfeat = get<std::uint8_t>(p, 24);
  n.nlbaf = get<std::uint8_t>(p, 25);  // 0's based
  n.flbas = get<std::uint8_t>(p, 26);
  if (!n.active()) return n;  // an inactive NSID reads as zeros
  if (n.nlbaf > 15) return hal::Error(hal::errc::inval, "Identify Namespace: NLBAF above 15");
  const unsigned index = n.flbas & 0xF;  // FLBAS 3:0
  if (index > n.nlbaf) return hal::Error(hal::errc::inval, "Identify Namespace: FLBAS selects a format beyond NLBAF");
  const std::uint32_t f = get<std::uint32_t>(p, 128 + 4 * index);  // LBAF0.. at byte 128
  n.format.ms = static_cast<std::uint16_t>(f & 0xFFFF);
  n.format.lbads = static_cast<std::uint8_t>((f >> 16) & 0xFF);
  n.format.rp = static_cast<std::uint8_t>((f >> 24) & 0x3);
  if (n.format.lbads < 9 || n.format.lbads > 16)
    return hal::Error(hal::errc::inval, "Identify Namespace: LBA data size 2^" + std::to_string(n.format.lbads));
  return n;
}

std::vector<std::uint32_t> parse_namespace_list(std::span<const std::uint8_t> p) {
  std::vector<std::uint32_t> ids;
  for (std::size_t off = 0; off + 4 <= p.size() && off < kIdentifyBytes; off += 4) {
    const auto id = get<std::uint32_t>(p, off);
    if (id == 0) break;
    ids.push_back(id);
  }
  return ids;
}

}  // namespace nvmed
