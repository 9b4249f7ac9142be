// User and group names to ids, from /etc/passwd and /etc/group only. hookctl is a
// static binary (no dynamic loader at start-up: see bench/README.md), and glibc's
// NSS (getpwnam) would load shared libraries at run time; an owner of a file on a
// router is a local account. A [[file]]'s owner/group that is not in these files
// is an error naming it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace hookctl {

struct Account {
    uid_t uid = 0;
    gid_t gid = 0;  // the user's primary group
};

// Pure: the entry for `name` in the text of an /etc/passwd (or /etc/group, where
// the uid field is the gid), "name:x:1000:1000:..." lines.
std::optional<Account> find_passwd_entry(std::string_view passwd, std::string_view name);
std::optional<gid_t> find_group_entry(std::string_view group, std::string_view name);

// From the files under `etc` ("/etc" for real).
std::optional<Account> lookup_user(std::string_view name, const std::string& etc = "/etc");
std::optional<gid_t> lookup_group(std::string_view name, const std::string& etc = "/etc");

}  // namespace hookctl
