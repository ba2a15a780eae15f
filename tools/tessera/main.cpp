// tessera: the command-line tool. One header per subcommand (inspect.hpp, ...); to add one,
// include its header and add a row to `subcommands` below.
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "generate.hpp"
#include "inspect.hpp"
#include "embed.hpp"
#include "search.hpp"
#include "tokenize.hpp"
#include "tessera/version.hpp"

namespace {

struct subcommand {
    std::string_view name;
    std::string_view summary;
    int (*run)(const tessera::cli::args&);
};

constexpr subcommand subcommands[] = {
    {"inspect", "show a model file's format, metadata, tensors and architecture", tessera::cli::run_inspect},
    {"embed", "embed stdin lines with a sentence-transformers model (JSON lines or .npy)", tessera::cli::run_embed},
    {"search", "find the best products of a catalog for a query, with filters", tessera::cli::run_search},
    {"generate", "generate text with a Llama or Gemma 3 GGUF model", tessera::cli::run_generate},
    {"tokenize", "tokenize stdin lines to JSON arrays of ids (or decode them) with any tokenizer file", tessera::cli::run_tokenize},
};

int usage(std::FILE* to) {
    std::fprintf(to, "usage: tessera <command> [arguments]\n\ncommands:\n");
    for (const auto& c : subcommands)
        std::fprintf(to, "  %-10.*s %.*s\n", int(c.name.size()), c.name.data(), int(c.summary.size()), c.summary.data());
    std::fprintf(to, "\n`tessera <command> --help` describes a command.\n");
    return to == stdout ? tessera::cli::exit_ok : tessera::cli::exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage(stderr);
    const std::string_view command = argv[1];
    if (command == "-h" || command == "--help" || command == "help") return usage(stdout);
    if (command == "--version") {
        std::printf("tessera %d.%d.%d\n", TESSERA_VERSION_MAJOR, TESSERA_VERSION_MINOR, TESSERA_VERSION_PATCH);
        return tessera::cli::exit_ok;
    }
    for (const auto& c : subcommands) {
        if (c.name != command) continue;
        const tessera::cli::args rest(argv + 2, argv + argc);
        try {
            return c.run(rest);
        } catch (const std::exception& e) {  // subcommands report their own errors; this is a last resort
            std::fprintf(stderr, "tessera %s: internal error: %s\n", argv[1], e.what());
            return tessera::cli::exit_internal;
        }
    }
    std::fprintf(stderr, "tessera: unknown command '%s'\n", tessera::cli::escape(command).c_str());
    return usage(stderr);
}
