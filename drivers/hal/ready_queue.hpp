// ReadyQueue<T>: the executor's FIFO of ready tasks, a ring buffer over one
// power-of-two array. Every wake-up and every resumption passes through it;
// std::deque's block bookkeeping was a noticeable part of that. Only order
// matters, and it is plain FIFO.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace hal {

template <class T>
class ReadyQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  void push_back(const T& item) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = item;
    ++size_;
  }

  /// The oldest item, removed. Must not be empty.
  T pop_front() {
    const T item = buf_[head_];
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
    return item;
  }

  void clear() {
    head_ = 0;
    size_ = 0;
  }

 private:
  void grow() {
    std::vector<T> bigger(buf_.empty() ? 64 : 2 * buf_.size());
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = buf_[(head_ + i) & (buf_.size() - 1)];
    buf_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace hal
