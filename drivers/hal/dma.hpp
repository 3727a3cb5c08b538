// A DMA buffer: physically contiguous memory a device can reach. `phys` is
// what goes into device registers and descriptors; `data` is the driver's own
// view of the same bytes (memory is coherent, as on x86).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "drivers/hal/error.hpp"

namespace hal {

struct DmaBuffer {
  std::uint64_t phys = 0;
  std::uint8_t* data = nullptr;
  std::size_t size = 0;

  bool valid() const { return data != nullptr; }
  std::span<std::uint8_t> bytes() const { return {data, size}; }
  /// A checked sub-range; throws ErrorException(EFAULT) when it does not fit.
  DmaBuffer slice(std::size_t off, std::size_t len) const {
    if (off > size || len > size - off) throw ErrorException(Error(errc::fault, "dma buffer: slice out of range"));
    return DmaBuffer{phys + off, data + off, len};
  }
  template <class T>
  T load(std::size_t off) const {
    T v;
    std::memcpy(&v, slice(off, sizeof(T)).data, sizeof(T));
    return v;
  }
  template <class T>
  void store(std::size_t off, const T& v) const {
    std::memcpy(slice(off, sizeof(T)).data, &v, sizeof(T));
  }
};

}  // namespace hal
