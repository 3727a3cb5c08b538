#include "devices/nvme/flash_model.hpp"

#include <algorithm>

namespace nvme {

FlashModel::FlashModel(const TimingProfile& t) : p_(t) {
  p_.channels = std::max(1u, p_.channels);
  p_.dies_per_channel = std::max(1u, p_.dies_per_channel);
  p_.page_bytes = std::max<std::uint32_t>(512, p_.page_bytes);
  p_.program_unit_bytes = std::max(p_.page_bytes, p_.program_unit_bytes);
  dies_ = p_.channels * p_.dies_per_channel;
  planes_ = std::max(1u, p_.planes_per_die);
  plane_free_.assign(std::size_t{dies_} * planes_, 0);
  channels_.assign(p_.channels, BusyCalendar{});
}

sim::Picos FlashModel::channel_time(std::uint64_t bytes) const {
  return sim::transfer_time(bytes, p_.channel_bytes_per_second);
}

sim::Picos FlashModel::read(sim::Picos t, std::uint64_t salt, std::uint64_t off, std::uint64_t len) {
  if (len == 0) return t;
  const std::uint64_t pg = p_.page_bytes, first = off / pg, last = (off + len - 1) / pg;
  sim::Picos done = t;
  for (std::uint64_t page = first; page <= last; ++page) {
    const std::uint64_t stripe = page + salt;
    const std::size_t die = static_cast<std::size_t>(stripe % dies_);
    const std::size_t plane = die * planes_ + static_cast<std::size_t>((stripe / dies_) % planes_);
    const std::size_t ch = die % channels_.size();
    const std::uint64_t from = std::max(off, page * pg), to = std::min(off + len, (page + 1) * pg);
    const sim::Picos sensed = std::max(t, plane_free_[plane]) + p_.read_latency;  // tR
    const sim::Picos xfer = channel_time(to - from);                         // page register -> controller
    const sim::Picos moved = channels_[ch].reserve(sensed, xfer) + xfer;
    plane_free_[plane] = moved;
    done = std::max(done, moved);
  }
  return done;
}

void FlashModel::prune(sim::Picos now) {
  for (auto& c : channels_) c.prune(now);
}

void FlashModel::drain(sim::Picos t) {
  while (!releases_.empty() && releases_.top().first <= t) {
    occupied_ -= releases_.top().second;
    releases_.pop();
  }
}

sim::Picos FlashModel::program(sim::Picos t, std::uint64_t bytes) {
  const std::size_t die = next_write_die_++ % dies_;
  const std::size_t ch = die % channels_.size();
  const auto planes = plane_free_.begin() + static_cast<std::ptrdiff_t>(die * planes_);
  const sim::Picos die_free = *std::max_element(planes, planes + planes_);
  const sim::Picos xfer = channel_time(bytes);
  const sim::Picos loaded = channels_[ch].reserve(std::max(t, die_free), xfer) + xfer;
  const sim::Picos end = loaded + p_.program_latency;  // tPROG
  std::fill(planes, planes + planes_, end);  // a program occupies the whole die
  releases_.push({end, bytes});
  last_release_ = std::max(last_release_, end);
  return end;
}

sim::Picos FlashModel::write(sim::Picos t, std::uint64_t len, bool durable) {
  drain(t);
  while (occupied_ + len > p_.write_buffer_bytes && !releases_.empty()) {  // wait for room
    t = std::max(t, releases_.top().first);
    drain(t);
  }
  occupied_ += len;
  open_bytes_ += len;
  open_ready_ = std::max(open_ready_, t);
  sim::Picos programmed = t;
  while (open_bytes_ >= p_.program_unit_bytes) {
    programmed = program(open_ready_, p_.program_unit_bytes);
    open_bytes_ -= p_.program_unit_bytes;
  }
  if (durable && open_bytes_ > 0) {
    programmed = program(open_ready_, open_bytes_);
    open_bytes_ = 0;
  }
  return durable ? std::max(t, programmed) : t;
}

sim::Picos FlashModel::flush(sim::Picos t) {
  if (open_bytes_ > 0) {
    program(std::max(t, open_ready_), open_bytes_);
    open_bytes_ = 0;
  }
  return std::max(t, last_release_);
}

}  // namespace nvme
