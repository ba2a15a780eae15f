#pragma once
// A thread pool the caller creates and passes in; tessera never starts threads on its own.
//
// `run(n_tasks, fn)` calls fn(task) once for every task in [0, n_tasks), on the calling
// thread and the pool's workers, and returns when all are done. Which thread runs a task
// is not fixed, so callers that want results independent of the thread count split work so
// that each output element is computed inside one task in a fixed order (the GEMM does).
//
// One `run` at a time per pool: concurrent callers queue on a mutex. A `run` issued from
// inside a task executes serially on that thread (no deadlock, same results).
//
// Idle workers spin briefly (tens of microseconds) before sleeping on a condition
// variable: transformer inference issues thousands of short parallel regions per second,
// and a futex wake-up costs as much as a small matrix-vector product.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tessera {

class thread_pool {
public:
    // `n_threads` counts the calling thread: thread_pool(1) starts no worker.
    explicit thread_pool(std::size_t n_threads = std::thread::hardware_concurrency()) {
        if (n_threads == 0) n_threads = 1;
        workers_.reserve(n_threads - 1);
        for (std::size_t i = 0; i + 1 < n_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
    }
    ~thread_pool() {
        {
            std::lock_guard lock(mutex_);
            stopping_.store(true);
        }
        wake_.notify_all();
        for (auto& t : workers_) t.join();
    }
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    std::size_t size() const noexcept { return workers_.size() + 1; }

    template <class F>
    void run(std::size_t n_tasks, F&& fn) {
        if (n_tasks == 0) return;
        if (workers_.empty() || n_tasks == 1 || inside_task()) {
            for (std::size_t i = 0; i < n_tasks; ++i) fn(i);
            return;
        }
        std::lock_guard run_lock(run_mutex_);
        job j;
        j.call = [](void* ctx, std::size_t i) { (*static_cast<std::remove_reference_t<F>*>(ctx))(i); };
        j.ctx = static_cast<void*>(&fn);
        j.n_tasks = n_tasks;
        {
            std::lock_guard lock(mutex_);
            job_ = &j;
            generation_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
        execute(j);
        auto all_done = [&] {
            return j.finished.load(std::memory_order_acquire) == n_tasks && busy_.load(std::memory_order_acquire) == 0;
        };
        for (int i = 0; i < spin_iterations && !all_done(); ++i) cpu_relax();
        {
            std::unique_lock lock(mutex_);
            done_.wait(lock, all_done);
            job_ = nullptr;
        }
        if (j.failure) std::rethrow_exception(j.failure);
    }

private:
    struct job {
        void (*call)(void*, std::size_t) = nullptr;
        void* ctx = nullptr;
        std::size_t n_tasks = 0;
        std::atomic<std::size_t> next{0};
        std::atomic<std::size_t> finished{0};
        std::mutex failure_mutex;
        std::exception_ptr failure;
    };

    static constexpr int spin_iterations = 4000;

    static void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    static bool& inside_task() noexcept {
        static thread_local bool flag = false;
        return flag;
    }

    void execute(job& j) {
        bool& inside = inside_task();
        const bool was_inside = inside;
        inside = true;
        for (;;) {
            const std::size_t i = j.next.fetch_add(1, std::memory_order_relaxed);
            if (i >= j.n_tasks) break;
            try {
                j.call(j.ctx, i);
            } catch (...) {
                std::lock_guard lock(j.failure_mutex);
                if (!j.failure) j.failure = std::current_exception();
            }
            j.finished.fetch_add(1, std::memory_order_release);
        }
        inside = was_inside;
    }

    void worker_loop() {
        std::size_t seen = 0;
        for (;;) {
            for (int i = 0; i < spin_iterations && generation_.load(std::memory_order_acquire) == seen &&
                            !stopping_.load(std::memory_order_relaxed);
                 ++i)
                cpu_relax();
            job* j;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
                if (stopping_.load()) return;
                seen = generation_.load();
                j = job_;  // null when that job already finished without this worker
                if (!j) continue;
                busy_.fetch_add(1, std::memory_order_acq_rel);
            }
            execute(*j);
            busy_.fetch_sub(1, std::memory_order_acq_rel);
            { std::lock_guard lock(mutex_); }  // the caller checks busy_ under the lock: no lost wake-up
            done_.notify_all();
        }
    }

    std::vector<std::thread> workers_;
    std::mutex run_mutex_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    job* job_ = nullptr;  // guarded by mutex_
    std::atomic<std::size_t> generation_{0};
    std::atomic<std::size_t> busy_{0};
    std::atomic<bool> stopping_{false};
};

// Runs fn(task) for each task; serially when `pool` is null.
template <class F>
void parallel_for(thread_pool* pool, std::size_t n_tasks, F&& fn) {
    if (pool) {
        pool->run(n_tasks, fn);
    } else {
        for (std::size_t i = 0; i < n_tasks; ++i) fn(i);
    }
}

}  // namespace tessera
