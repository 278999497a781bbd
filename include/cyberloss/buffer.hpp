// Large result arrays. Allocations of 2 MiB and more are rounded up to and aligned on 2 MiB
// and faulted in at once (MADV_POPULATE_WRITE); from 4 MiB they are also marked for
// transparent huge pages: a 10^7-year run writes hundreds of MiB, and first-touch page faults
// on 4 KiB pages cost more than the simulation itself on virtual machines; huge pages faulted
// in one call cost a fraction of those faulted by the writing threads (10^8 years, annual
// losses only: 0.1 s of system time instead of 0.5-0.9 s on this VM,
// benchmarks/bench_big_run.py). Blocks just under 4 MiB stay on ordinary pages: a huge page
// for them may need the kernel to compact memory first, which made one-shot commands slower
// (and the rounding wastes more of a small block). Allocations from 64 KiB to 2 MiB (event
// columns of a BCP variant, a 200,000-year annual loss) are whole 4 KiB pages, also faulted in
// at once: from malloc they were fresh mappings of the C library, faulted page by page by the
// writing threads and unmapped again when freed (a BCP plan: 7 ms of its ~80 ms).
// Buffer(n) leaves numbers uninitialised (see construct below).
//
// Freed blocks of 64 KiB and more are kept for reuse, up to 1 GiB (at most 1/8 of physical
// memory; blocks under 2 MiB up to 64 MiB of it): the kernel's cost of providing fresh pages
// (faulting and zeroing them, ~56 bytes per simulated year) is several times the
// simulation's own on virtual machines, and repeated runs of similar size (scenario sweeps,
// notebooks, the variants of a BCP plan) can reuse the pages instead. Kept blocks stay
// resident up to a quarter of that limit (256 MiB: a quote's working set, so that its next run
// writes pages already in place); the kept blocks of 2 MiB and more beyond it are marked
// MADV_FREE, so the kernel may still reclaim them under memory pressure (rewriting such pages
// costs a page-table update each: a quote took 10% longer with every kept block so marked).
#pragma once

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#endif
#if defined(_WIN32)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace cyberloss {

namespace detail {

// Memory-management hints and aligned blocks where the platform has them; elsewhere plain
// allocation (the hints only save time).
inline void advise_huge_pages(void* p, std::size_t bytes) {
#if defined(MADV_HUGEPAGE)
  madvise(p, bytes, MADV_HUGEPAGE);  // a hint: failure leaves ordinary pages
#else
  (void)p;
  (void)bytes;
#endif
}

// The cancellation flag of the run allocating on this thread (PrefaultCancel), or nullptr.
inline thread_local const std::atomic<bool>* prefault_cancel = nullptr;

// Faults in every page of a fresh block at once (Linux 5.14+; elsewhere, or if refused, the
// pages are faulted in as they are first written), 64 MiB a call, so that a run cancelled
// meanwhile stops faulting at the next call (PrefaultCancel): a 10^8-year run's 5.6 GB of
// outputs took 0.5-4 s of system calls on this VM, and Ctrl-C waited for all of them (0.8-2.9
// s, once 17 s). The pages left are faulted in on first write, as without this.
inline void prefault(void* p, std::size_t bytes) {
#if defined(__linux__)
  // MADV_POPULATE_WRITE (not in older headers), a call per 64 MiB (whole huge pages).
  constexpr int kPopulateWrite = 23;
  constexpr std::size_t kStep = std::size_t{64} << 20;
  for (std::size_t at = 0; at < bytes; at += kStep) {
    if (prefault_cancel && prefault_cancel->load(std::memory_order_relaxed)) return;
    madvise(static_cast<char*>(p) + at, std::min(kStep, bytes - at), kPopulateWrite);
  }
#else
  (void)p;
  (void)bytes;
#endif
}

inline void advise_free(void* p, std::size_t bytes) {
#if defined(MADV_FREE)
  madvise(p, bytes, MADV_FREE);
#else
  (void)p;
  (void)bytes;
#endif
}

inline void* aligned_block(std::size_t alignment, std::size_t bytes) {
#if defined(_WIN32)
  return _aligned_malloc(bytes, alignment);
#else
  return std::aligned_alloc(alignment, bytes);
#endif
}

inline void free_block(void* p) {
#if defined(_WIN32)
  _aligned_free(p);
#else
  std::free(p);
#endif
}

inline double physical_memory_bytes() {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? double(pages) * double(page) : 0.0;
#else
  return 0.0;
#endif
}

// The size class of a block of `bytes` (>= 64 KiB): under 2 MiB, whole pages, the page count
// rounded up to four significant bits (classes 1/8 of a power of two apart, so blocks of
// slightly different sizes share them); from 2 MiB, whole 2 MiB.
constexpr std::size_t kPage = std::size_t{4} << 10;
constexpr std::size_t kMediumBlock = std::size_t{64} << 10;
constexpr std::size_t kHugeBlock = std::size_t{2} << 20;
constexpr std::size_t kMediumLimit = std::size_t{64} << 20;  // kept blocks under 2 MiB
inline std::size_t block_class(std::size_t bytes) {
  if (bytes >= kHugeBlock) return (bytes + kHugeBlock - 1) / kHugeBlock * kHugeBlock;
  std::size_t pages = (bytes + kPage - 1) / kPage;
  std::size_t step = 1;
  while ((pages >> 4) >= step) step <<= 1;  // pages < 16 * step: keep four bits
  return std::min((pages + step - 1) / step * step * kPage, kHugeBlock);
}

// Freed blocks (sizes of one of block_class's classes), most recently freed last.
class BlockCache {
 public:
  static BlockCache& instance() {
    static BlockCache* cache = new BlockCache;  // never destroyed: buffers may outlive statics
    return *cache;
  }
  // A kept block of exactly this size (most recently freed first), or nullptr.
  void* take(std::size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = blocks_.size(); i-- > 0;)
      if (blocks_[i].bytes == bytes) {
        void* p = blocks_[i].p;
        forget(i);
        return p;
      }
    return nullptr;
  }
  // Bytes of kept blocks of 2 MiB and more that stay resident (not marked MADV_FREE), and the
  // limit on them.
  std::size_t resident_large() {
    std::lock_guard<std::mutex> lock(mutex_);
    return resident_large_;
  }
  std::size_t resident_limit() const { return resident_limit_; }
  // Keeps the block, freeing the oldest ones beyond the limits.
  void give(void* p, std::size_t bytes) noexcept {
    const bool medium = bytes < kHugeBlock;
    if (bytes > limit_) {
      free_block(p);
      return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    // A medium block stays resident (within its own limit); a large one while the resident
    // large blocks fit their limit, beyond it it may be reclaimed (MADV_FREE).
    const bool resident = medium || resident_large_ + bytes <= resident_limit_;
    if (!resident) advise_free(p, bytes);
    try {
      blocks_.push_back({p, bytes, resident});
    } catch (...) {
      free_block(p);
      return;
    }
    kept_ += bytes;
    if (medium) kept_medium_ += bytes;
    if (!medium && resident) resident_large_ += bytes;
    for (std::size_t i = 0;
         i < blocks_.size() && (kept_ > limit_ || kept_medium_ > kMediumLimit);) {
      if (kept_ <= limit_ && blocks_[i].bytes >= kHugeBlock) {  // only the medium limit is exceeded
        ++i;
        continue;
      }
      free_block(blocks_[i].p);
      forget(i);
    }
  }

 private:
  struct Kept {
    void* p;
    std::size_t bytes;
    bool resident;  // not marked MADV_FREE
  };
  BlockCache() {
    const double eighth = physical_memory_bytes() / 8.0;
    limit_ = eighth < double(std::size_t{1} << 30) ? static_cast<std::size_t>(eighth)
                                                   : std::size_t{1} << 30;
    resident_limit_ = limit_ / 4;
  }
  // Drops kept block i from the books (the caller takes or frees it).
  void forget(std::size_t i) {
    const Kept& k = blocks_[i];
    kept_ -= k.bytes;
    if (k.bytes < kHugeBlock)
      kept_medium_ -= k.bytes;
    else if (k.resident)
      resident_large_ -= k.bytes;
    blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  std::mutex mutex_;
  std::vector<Kept> blocks_;
  std::size_t kept_ = 0;
  std::size_t kept_medium_ = 0;     // of which blocks under 2 MiB
  std::size_t resident_large_ = 0;  // of which blocks of 2 MiB and more not marked MADV_FREE
  std::size_t limit_ = 0, resident_limit_ = 0;
};

// While in scope, the large blocks this thread allocates stop being faulted in once *cancel
// is set (nullptr: never), so that a run's outputs, allocated before its first block, do not
// hold up its cancellation.
class PrefaultCancel {
 public:
  explicit PrefaultCancel(const std::atomic<bool>* cancel) : outer_(prefault_cancel) {
    prefault_cancel = cancel;
  }
  ~PrefaultCancel() { prefault_cancel = outer_; }
  PrefaultCancel(const PrefaultCancel&) = delete;
  PrefaultCancel& operator=(const PrefaultCancel&) = delete;

 private:
  const std::atomic<bool>* outer_;
};

}  // namespace detail

template <class T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <class U>
  LargeAllocator(const LargeAllocator<U>&) noexcept {}

  static constexpr std::size_t kHugeAdvised = 2 * detail::kHugeBlock;
  static bool kept(std::size_t bytes) { return bytes >= detail::kMediumBlock; }

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (!kept(bytes)) {
      if (void* p = std::malloc(bytes ? bytes : 1)) return static_cast<T*>(p);
      throw std::bad_alloc();
    }
    const std::size_t size = detail::block_class(bytes);
    if (void* p = detail::BlockCache::instance().take(size)) return static_cast<T*>(p);
    void* p =
        detail::aligned_block(size < detail::kHugeBlock ? detail::kPage : detail::kHugeBlock, size);
    if (!p) throw std::bad_alloc();
    if (bytes >= kHugeAdvised) detail::advise_huge_pages(p, size);
    detail::prefault(p, size);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (kept(bytes))
      detail::BlockCache::instance().give(p, detail::block_class(bytes));
    else
      std::free(p);
  }

  // Buffer(n) and resize(n) default-initialise: numbers are left unset, for outputs that the
  // writer fills completely (zeroing first would touch every page twice). Buffer(n, value) and
  // assign(n, value) fill as usual.
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible<U>::value) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  template <class U>
  bool operator==(const LargeAllocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const LargeAllocator<U>&) const noexcept {
    return false;
  }
};

template <class T>
using Buffer = std::vector<T, LargeAllocator<T>>;

}  // namespace cyberloss
