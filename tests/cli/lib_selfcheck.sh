#!/bin/bash
# lib.sh checks its own helpers when executed (meson skips lib.sh itself): a wrong
# expectation must count as a failure, env files must be decoded without evaluation.
exec bash "$(dirname "$0")/lib.sh"
