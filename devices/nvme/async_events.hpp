// Asynchronous Event Requests (§5.2): the controller keeps up to AERL+1 AER
// commands outstanding and completes one when an event occurs. After an event
// of a type is reported, further events of that type are masked until the
// host reads the type's log page with Retain Asynchronous Event cleared
// (§5.2, §5.14.1). Events with no AER outstanding are dropped: the only
// events this model raises are invalid doorbell writes, which the spec
// reports only "if an Asynchronous Event Request command is outstanding"
// (§4.1).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace nvme {

class AsyncEvents {
 public:
  explicit AsyncEvents(unsigned limit) : limit_(limit) {}

  /// Takes an AER command; false if AERL+1 are already outstanding.
  bool add_request(std::uint16_t cid);
  /// An event of `type`: the CID of the AER to complete, if one is
  /// outstanding and the type is not masked (the type is masked then).
  std::optional<std::uint16_t> report(std::uint8_t type);
  /// Removes an outstanding AER (Abort); true if it was outstanding.
  bool remove(std::uint16_t cid);
  void unmask(std::uint8_t type) { masked_ &= static_cast<std::uint8_t>(~(1u << type)); }
  bool masked(std::uint8_t type) const { return masked_ & (1u << type); }
  /// Controller reset: outstanding AERs are gone, without completions.
  void reset();
  std::size_t outstanding() const { return cids_.size(); }

  /// Completion DW0: type 2:0, information 15:8, log page 23:16 (figure 145).
  static std::uint32_t dw0(std::uint8_t type, std::uint8_t info, std::uint8_t log_page) {
    return (type & 0x7u) | (std::uint32_t{info} << 8) | (std::uint32_t{log_page} << 16);
  }

 private:
  unsigned limit_;
  std::deque<std::uint16_t> cids_;
  std::uint8_t masked_ = 0;  // bit per event type
};

}  // namespace nvme
