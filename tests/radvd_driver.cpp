// Test driver for tests/netns/radvd.sh: renders radvd.conf from arguments and writes
// it with FileWriter + SystemProcessRunner, the same pieces the engine uses.
//   radvd_driver FILE IFNAME [--prefix P]... [--deprecated P]... [--rdnss A]... [--dnssl D]...
//                [--interval MIN MAX] [--lifetimes PREF VALID] [--managed] [--other]
//                [--append TEXT] [--no-validate]
// Prints "<status>: <message>"; exit 0 for done/unchanged, 1 for failed, 2 for usage.
#include "file_writer.hpp"
#include "process.hpp"
#include "radvd.hpp"

#include <fmt/format.h>

#include <cstring>
#include <iostream>

using namespace hookctl;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: radvd_driver FILE IFNAME [options]\n";
        return 2;
    }
    try {
        RadvdInterfaceConfig config;
        RadvdInterfaceInput in;
        in.interface = parse_interface_name(argv[2], "IFNAME");
        in.config = &config;
        std::string append;
        bool validate = true;
        for (int i = 3; i < argc; ++i) {
            std::string a = argv[i];
            auto next = [&]() -> std::string {
                if (i + 1 >= argc) throw Error(a + ": needs a value");
                return argv[++i];
            };
            if (a == "--prefix")
                in.current.push_back(parse_prefix(next(), a));
            else if (a == "--deprecated")
                in.deprecated.push_back(parse_prefix(next(), a));
            else if (a == "--rdnss")
                in.rdnss.push_back(parse_address(next(), a));
            else if (a == "--dnssl")
                config.dnssl.push_back(parse_domain_name(next(), a));
            else if (a == "--interval") {
                config.min_interval = parse_u32(next(), a);
                config.max_interval = parse_u32(next(), a);
            } else if (a == "--lifetimes") {
                config.preferred_lifetime = parse_u32(next(), a);
                config.valid_lifetime = parse_u32(next(), a);
            } else if (a == "--managed")
                config.managed = true;
            else if (a == "--other")
                config.other = true;
            else if (a == "--append")
                append = next() + "\n";
            else if (a == "--no-validate")
                validate = false;
            else
                throw Error("unknown option " + a);
        }

        FileObject file;
        file.path = argv[1];
        file.content = render_radvd_conf({in}) + append;
        file.mode = 0644;
        if (validate) file.validate = {"radvd", "-c", "-C", "{}"};

        SystemProcessRunner runner(Settings{}.path);
        FileWriter writer(runner, std::chrono::steady_clock::now() + std::chrono::seconds(20));
        ActionResult r = writer.ensure(file);
        std::cout << to_string(r.status) << ": " << r.message << "\n";
        return r.ok() ? 0 : 1;
    } catch (const Error& e) {
        std::cerr << "radvd_driver: " << e.what() << "\n";
        return 2;
    }
}
