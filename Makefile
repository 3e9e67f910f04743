# flowgate: top-level entry points. `make run` and `make test` do all the set-up
# on a fresh Debian 12 machine (as root, or with sudo available).

SHELL := /bin/bash
MVN ?= mvn -B -ntp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the build, the tests and `make run` need.
DEB_BUILD := openjdk-17-jdk-headless maven make gcc clang llvm libbpf-dev bpftool \
             libelf-dev zlib1g-dev gcc-multilib pkg-config lintian
DEB_LAB   := iproute2 iputils-ping python3-scapy netsniff-ng nfdump pmacct softflowd tshark \
             tcpdump ethtool iperf3 hping3 procps util-linux prometheus prometheus-alertmanager \
             openssl
DEB_ALL   := $(DEB_BUILD) $(DEB_LAB)

.PHONY: all help deps bpffs build test test-unit deb run bench bench-smoke bench-dataplane bench-sweep bench-metrics bench-wire bench-pressure bench-samples bench-kafka fmt clean

all: build

## help: this list
help:
	@sed -n 's/^## //p' $(firstword $(MAKEFILE_LIST))

## deps: install the Debian packages that are missing (apt-get update first)
deps:
	@missing=$$(for p in $(DEB_ALL); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	else echo "deps: all Debian packages present"; fi

## bpffs: mount the BPF filesystem if it is not mounted
bpffs:
	@mountpoint -q /sys/fs/bpf || $(SUDO) mount -t bpf bpf /sys/fs/bpf

## build: compile the BPF object, the JNI library and the jars (no tests)
build: deps
	$(MVN) -DskipTests package

## test: the whole test suite (needs root: it loads BPF and makes veth labs)
test: deps bpffs
	$(MVN) verify

## test-unit: the tests that need neither root nor BPF (not the @Tag kernel and e2e ones)
test-unit: deps
	$(MVN) verify -Punit

## deb: the Debian package target/flowgate_<version>_amd64.deb (packaging/build-deb.sh)
deb: build
	packaging/build-deb.sh

## run: the lab demo (a namespace with traffic, flowgate attached to its veth)
run: deps bpffs build
	bin/flowgate-lab

## bench-dataplane: per-packet cost of the XDP/TC programs vs empty and reference (builds only the BPF side)
bench-dataplane: deps bpffs
	bench/dataplane.sh

## bench-sweep: the sweep at 1M flows: as flowgate run performs it (journal, IPC, sinks, listeners) next to the drain only
bench-sweep: deps bpffs build
	bench/sweep.sh

## bench-metrics: /metrics scrape cost with 64 interfaces (time and bytes per scrape vs an empty registry)
bench-metrics: deps build
	bench/metrics.sh

## bench-wire: CPU per million packets and accuracy, flowgate vs softflowd and pmacctd (nfprobe), 1k/65k/1M flows
bench-wire: deps bpffs
	bench/wire.sh

## bench-pressure: floods of new flows: insert failures, spills, unaccounted packets, sweep time, RSS
bench-pressure: deps bpffs
	bench/pressure.sh

## bench-samples: samples/s from the ring buffer to pcapng (TCP) and PSAMP (UDP) bytes vs ring-to-nothing, one core
bench-samples: deps bpffs
	bench/samples.sh

## bench-kafka: records/s into a local Kafka broker (lz4, protobuf and Arrow) vs the IPFIX encoder, one core
bench-kafka: deps
	bench/kafka.sh

## bench: every benchmark at full size (figures go to BENCHMARKS.md by hand, with the command)
bench: bench-dataplane bench-sweep bench-metrics bench-wire bench-pressure bench-samples

## bench-smoke: every benchmark once at a tiny size, so none of them rots (CI runs it before the tests)
bench-smoke: deps bpffs
	BENCH_FLOWS=1,1000 bench/dataplane.sh
	SWEEP_FLOWS=20000 SWEEP_ROUNDS=2 SWEEP_KERNEL_ROUNDS=2 bench/sweep.sh
	BENCH_INTERFACES=4 bench/metrics.sh
	WIRE_FRAMES=20000 WIRE_FLOWS=1000 WIRE_ROUNDS=1 bench/wire.sh
	PRESSURE_SECONDS=3 PRESSURE_SCENARIOS=over bench/pressure.sh
	SAMPLES_ROUNDS=5 bench/samples.sh
	BENCH_RECORDS=20000 BENCH_ROUNDS=1 bench/kafka.sh

## fmt: google-java-format (fetched from Maven Central) for Java, clang-format for C
GJF_VERSION := 1.22.0
GJF_JAR := build/tools/google-java-format-$(GJF_VERSION)-all-deps.jar
GJF_OPENS := $(foreach p,api code file parser tree util,--add-exports=jdk.compiler/com.sun.tools.javac.$(p)=ALL-UNNAMED)
fmt:
	@command -v clang-format >/dev/null || { $(SUDO) apt-get install -y -q clang-format; }
	clang-format -i --style=file $$(git ls-files '*.c' '*.h')
	@[ -f $(GJF_JAR) ] || $(MVN) -q dependency:copy \
	  -Dartifact=com.google.googlejavaformat:google-java-format:$(GJF_VERSION):jar:all-deps \
	  -DoutputDirectory=build/tools
	java $(GJF_OPENS) -jar $(GJF_JAR) --replace $$(git ls-files '*.java')

clean:
	$(MVN) -q clean
