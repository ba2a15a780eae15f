// doctest's main, plus one rule: a run filtered by test suite (`--test-suite=concurrency`,
// the NAME.threads entries the TSan stage runs) that ran no test case fails, so a suite
// decorator that goes missing cannot turn a sanitizer check into an empty pass.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace {

std::atomic<int> test_cases_started{0};

struct count_test_cases : doctest::IReporter {
    explicit count_test_cases(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData&) override { ++test_cases_started; }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};
DOCTEST_REGISTER_LISTENER("count_test_cases", 1, count_test_cases);

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int rc = context.run();
    if (context.shouldExit()) return rc;
    for (int i = 1; i < argc; ++i) {
        const bool suite_filter = std::strncmp(argv[i], "--test-suite=", 13) == 0 || std::strncmp(argv[i], "-ts=", 4) == 0;
        if (suite_filter && test_cases_started.load() == 0) {
            std::fprintf(stderr, "%s: the filter %s selected no test case\n", argv[0], argv[i]);
            return 1;
        }
    }
    return rc;
}
