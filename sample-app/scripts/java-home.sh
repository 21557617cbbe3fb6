#!/usr/bin/env bash
# Prints the home of a JDK 25 or newer for the Makefile, or explains what to install.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
java25_home || die "No JDK 25 found (checked JAVA_HOME, java on PATH and /usr/lib/jvm). The bookshelf app needs Java 25: install a JDK 25 and set JAVA_HOME to it."
