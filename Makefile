# Slimlab. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

APP := sample-app
MVN ?= mvn
MVN_FLAGS ?= -B -ntp -Dstyle.color=never
# Maven's own libraries still use sun.misc.Unsafe; on Java 25 this says so once per run.
MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow
export MAVEN_OPTS
SERVER_PORT ?= 8080

# Every target runs on a JDK 25: JAVA_HOME if it is one, else one found on the machine.
JAVA_HOME := $(shell bash $(APP)/scripts/java-home.sh 2>/dev/null)
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)

.PHONY: help test app-tests proofs package run-app maven-repo clean java25

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-12s %s\n", $$1, $$2 }'

test: app-tests proofs ## Everything CI runs: the app's tests, then the AOT, jlink and startup proofs

app-tests: java25 ## The sample app's JUnit tests (also builds sample-app/target/bookshelf.jar)
	$(MVN) $(MVN_FLAGS) -f $(APP)/pom.xml verify

proofs: java25 $(APP)/target/bookshelf.jar ## The AOT, jlink and startup proofs on the built jar
	bash $(APP)/scripts/run-proofs.sh

package: java25 ## Build sample-app/target/bookshelf.jar without running the tests
	$(MVN) $(MVN_FLAGS) -f $(APP)/pom.xml -DskipTests package

$(APP)/target/bookshelf.jar: $(APP)/pom.xml $(shell find $(APP)/src/main -type f)
	$(MAKE) package

run-app: java25 $(APP)/target/bookshelf.jar ## Run the bookshelf app on http://localhost:8080 (SERVER_PORT=... to change)
	@echo "Bookshelf on http://localhost:$(SERVER_PORT)/ - stop it with Ctrl+C"
	SERVER_PORT=$(SERVER_PORT) java -jar $(APP)/target/bookshelf.jar

maven-repo: java25 ## Fill a Maven repository for offline builds (DIR=path) and prove it complete
	bash $(APP)/scripts/prime-maven-repo.sh $(DIR)

clean: ## Remove build outputs and the proofs' scratch files
	rm -rf $(APP)/target $(APP)/build-proofs

java25:
	@test -n "$(JAVA_HOME)" || bash $(APP)/scripts/java-home.sh
