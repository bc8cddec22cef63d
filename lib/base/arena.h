// Arena: memory for many small objects that die together (the results of one COMPOUND): one
// allocation per 16 KiB block instead of one per object, all freed with the arena.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

namespace efs {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `bytes` zeroed bytes, aligned for any scalar type, valid until the arena is destroyed.
  void* Allocate(size_t bytes);

  // `n` (at least 1) value-initialized T. T must need no destructor (plain structs, as
  // rpcgen's are).
  template <class T>
  T* NewArray(size_t n) {
    static_assert(std::is_trivially_destructible_v<T>, "the arena never runs destructors");
    if (n == 0) n = 1;
    T* p = static_cast<T*>(Allocate(sizeof(T) * n));
    std::uninitialized_value_construct_n(p, n);
    return p;
  }

 private:
  static constexpr size_t kBlock = 16 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

}  // namespace efs
