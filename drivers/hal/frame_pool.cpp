#include "drivers/hal/frame_pool.hpp"

#include <array>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define DRVSIM_FRAME_POOL_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define DRVSIM_FRAME_POOL_OFF 1
#endif
#endif

namespace hal::frame_pool {

namespace {

constexpr std::size_t kStep = 64;
constexpr std::size_t kClasses = 32;  // up to 2 KiB

struct FreeNode {
  FreeNode* next;
};

struct Lists {
  std::array<FreeNode*, kClasses> head{};
  std::size_t live = 0;
  ~Lists() {
    for (FreeNode*& h : head)
      while (h) {
        FreeNode* n = h->next;
        ::operator delete(static_cast<void*>(h));
        h = n;
      }
  }
};

thread_local Lists lists;

// Size class c holds frames of (c + 1) * kStep bytes at most.
constexpr std::size_t class_of(std::size_t bytes) { return (bytes + kStep - 1) / kStep - 1; }

}  // namespace

void* allocate(std::size_t bytes) {
  ++lists.live;
#ifndef DRVSIM_FRAME_POOL_OFF
  if (bytes != 0 && bytes <= kStep * kClasses) {
    const std::size_t c = class_of(bytes);
    if (FreeNode* n = lists.head[c]) {
      lists.head[c] = n->next;
      return n;
    }
    return ::operator new((c + 1) * kStep);
  }
#endif
  return ::operator new(bytes);
}

void deallocate(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  --lists.live;
#ifndef DRVSIM_FRAME_POOL_OFF
  if (bytes != 0 && bytes <= kStep * kClasses) {
    const std::size_t c = class_of(bytes);
    auto* n = static_cast<FreeNode*>(p);
    n->next = lists.head[c];
    lists.head[c] = n;
    return;
  }
#endif
  ::operator delete(p);
}

std::size_t live_frames() noexcept { return lists.live; }

}  // namespace hal::frame_pool
