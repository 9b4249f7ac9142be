// JSON forms of facts, owned objects, raw events and transitions: the state files,
// the journal and every `--json` output use these. Loading re-validates every value
// through the same parse_* functions the daemons' input goes through, so a damaged
// state file is an error that names the field, not undefined behaviour.
#pragma once

#include "event.hpp"
#include "facts.hpp"
#include "objects.hpp"
#include "plan.hpp"

#include <nlohmann/json.hpp>

namespace hookctl {

using Json = nlohmann::ordered_json;

// Parses a state file or journal line. hookctl writes integers only, so a number with
// a fraction or an exponent, or an integer beyond 64 bits (nlohmann keeps those as
// doubles), is damage: refused here (std::invalid_argument), because converting such
// a double to an integer type later would be undefined behaviour (found by fuzz_state).
Json parse_state_json(const char* first, const char* last);
inline Json parse_state_json(const std::string& text) {
    return parse_state_json(text.data(), text.data() + text.size());
}

// state.json's text (compact, one line): written without building a tree; the to_json()
// forms of the same values are this writer's text, parsed, so the two cannot differ.
std::string state_json_text(const Facts& facts, const std::vector<OwnedObject>& applied,
                            const std::vector<ServiceAction>& pending);

Json to_json(const Facts& f);
Facts facts_from_json(const Json& j);

Json to_json(const InterfaceFacts& f);

Json to_json(const Object& o);
Object object_from_json(const Json& j);

Json to_json(const OwnedObject& o);
OwnedObject owned_from_json(const Json& j);

// A raw event as JSON text: what the daemon passed, values that are not UTF-8 as
// {"hex": ...} so replay gets the same bytes. Written straight to text because every
// hook run journals its event, and building it as a JSON tree first cost more than
// the rest of an unchanged event's journal line (bench/README.md); to_json() parses it.
void append_json_text(std::string& out, const RawEvent& e);
Json to_json(const RawEvent& e);
RawEvent raw_event_from_json(const Json& j);

Json to_json(const Transition& t);
Json to_json(const Action& a);  // for output and the journal (not read back)

Json to_json(const Command& c);
Command command_from_json(const Json& j);
Json to_json(const ServiceAction& s);
ServiceAction service_from_json(const Json& j);

}  // namespace hookctl
