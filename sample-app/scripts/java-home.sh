#!/usr/bin/env bash
# Prints the home of a JDK 25 or newer for the Makefile, or explains what to install.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
java25_home || die "$NO_JAVA25"
