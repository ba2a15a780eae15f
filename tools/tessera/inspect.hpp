#pragma once
// tessera inspect FILE|DIR [--json] [--validate] [--dump DIR] [--timing]
//
// Opens a GGUF file, a safetensors file or a model directory, validates it completely, and
// prints its format, metadata, tensor table and architecture summary (--json: exactly one
// JSON object on stdout). Exit 0 for a valid input; 2 with one line on stderr for an invalid
// one (cli.hpp); 1 for a usage error. See inspect_data.hpp for --validate, --dump, --timing.
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "cli.hpp"
#include "inspect_data.hpp"
#include "inspect_open.hpp"
#include "inspect_report.hpp"
#include "inspect_text.hpp"

namespace tessera::cli {

inline constexpr const char* inspect_usage =
    "usage: tessera inspect FILE|DIR [--json] [--validate] [--dump DIR] [--timing]\n"
    "  FILE       a .gguf or .safetensors file; DIR: config.json + model.safetensors (or an index)\n"
    "  --json     print one JSON object instead of text\n"
    "  --validate decode every tensor; NaN/Inf values or block scales are errors\n"
    "  --dump DIR write every tensor decoded to f32 into DIR (index.tsv + <i>.f32)\n"
    "  --timing   report the median open time over 10 opens and the memory the first open added\n"
    "exit: 0 valid, 1 usage, 2 invalid input (one line on stderr)\n";

inline int run_inspect(const args& a) {
    std::optional<std::string> input, dump_dir;
    bool json = false, validate = false, timing = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a[i];
        if (s == "--json") json = true;
        else if (s == "--validate") validate = true;
        else if (s == "--timing") timing = true;
        else if (s == "--dump" && i + 1 < a.size()) dump_dir = a[++i];
        else if (s == "-h" || s == "--help") {
            std::fputs(inspect_usage, stdout);
            return exit_ok;
        } else if (!s.starts_with("--") && !input) input = s;
        else {
            std::fprintf(stderr, "tessera inspect: unexpected argument '%s'\n%s", escape(s).c_str(), inspect_usage);
            return exit_usage;
        }
    }
    if (!input) {
        std::fputs(inspect_usage, stderr);
        return exit_usage;
    }

    try {
        const opened_model m = open_model(*input);
        if (validate) validate_all(m);
        if (dump_dir) dump_all(m, *dump_dir, validate);
        ordered_json report = build_report(m);
        if (validate) report["validated"] = true;
        if (timing) {
            const open_measurement t = measure_open(*input);
            report["timing"] = {{"opens", t.runs},
                                {"open_ms_median", t.median_ms},
                                {"open_ms_min", t.min_ms},
                                {"open_ms_max", t.max_ms},
                                {"first_open_rss_delta_kib", t.rss_delta_kib},
                                {"first_open_file_backed_kib", t.file_delta_kib},
                                {"first_open_anonymous_kib", t.anon_delta_kib}};
        }
        if (json) {
            std::printf("%s\n", dump_json(report).c_str());
        } else {
            print_text_report(report);
            if (validate) std::printf("\nvalidated: every tensor decodes to finite values\n");
            if (timing) {
                const auto& t = report["timing"];
                std::printf("\ntiming: open median %.3f ms over %d opens (min %.3f, max %.3f); first open added "
                            "%ld KiB resident (%ld KiB file-backed pages, %ld KiB anonymous)\n",
                            t["open_ms_median"].get<double>(), t["opens"].get<int>(), t["open_ms_min"].get<double>(),
                            t["open_ms_max"].get<double>(), t["first_open_rss_delta_kib"].get<long>(),
                            t["first_open_file_backed_kib"].get<long>(), t["first_open_anonymous_kib"].get<long>());
            }
        }
        return std::fflush(stdout) == 0 ? exit_ok : exit_internal;
    } catch (const error& e) {
        return report_invalid("inspect", *input, e);
    } catch (const std::exception& e) {
        return report_internal("inspect", *input, e);
    }
}

}  // namespace tessera::cli
