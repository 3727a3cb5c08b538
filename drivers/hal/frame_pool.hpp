// Where coroutine frames live. Every co_await on a Task creates a frame, a
// dozen per I/O request through a driver; through the general-purpose heap
// that was a sixth of the host time of a storage run. Frames are recycled
// instead through per-thread free lists of fixed size classes (64-byte steps
// up to 2 KiB; larger frames go to the heap). Memory returns to the heap when
// the thread ends. Addresses never influence behaviour, so determinism is
// untouched. Sanitizer builds use the heap directly, so use-after-free in
// coroutine code stays visible to them.
//
// The fast path (a hit on a free list, and every free) is inline: a frame's
// size is a constant where the coroutine is created, so it folds to a few
// instructions there. The lists are constant-initialised and trivially
// destructible, so reaching them needs no per-access TLS init check; the
// out-of-line slow path arranges for their memory to go back at thread exit.
#pragma once

#include <cstddef>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define DRVSIM_FRAME_POOL_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define DRVSIM_FRAME_POOL_OFF 1
#endif
#endif

namespace hal::frame_pool {

namespace detail {

inline constexpr std::size_t kStep = 64;
inline constexpr std::size_t kClasses = 32;  // up to 2 KiB

struct FreeNode {
  FreeNode* next;
};

struct Lists {
  FreeNode* head[kClasses];
  std::size_t live;
};

inline thread_local constinit Lists lists{};

// Size class c holds frames of (c + 1) * kStep bytes at most.
constexpr std::size_t class_of(std::size_t bytes) { return (bytes + kStep - 1) / kStep - 1; }
constexpr bool pooled(std::size_t bytes) { return bytes != 0 && bytes <= kStep * kClasses; }

/// A miss: a fresh block from the heap (of the class size when pooled).
void* allocate_slow(std::size_t bytes);

}  // namespace detail

inline void* allocate(std::size_t bytes) {
  ++detail::lists.live;
#ifndef DRVSIM_FRAME_POOL_OFF
  if (detail::pooled(bytes)) {
    detail::FreeNode*& head = detail::lists.head[detail::class_of(bytes)];
    if (detail::FreeNode* n = head) {
      head = n->next;
      return n;
    }
  }
#endif
  return detail::allocate_slow(bytes);
}

inline void deallocate(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  --detail::lists.live;
#ifndef DRVSIM_FRAME_POOL_OFF
  if (detail::pooled(bytes)) {
    detail::FreeNode*& head = detail::lists.head[detail::class_of(bytes)];
    auto* n = static_cast<detail::FreeNode*>(p);
    n->next = head;
    head = n;
    return;
  }
#endif
  ::operator delete(p);
}

/// Frames handed out and not yet returned, on this thread (for tests).
inline std::size_t live_frames() noexcept { return detail::lists.live; }

}  // namespace hal::frame_pool
