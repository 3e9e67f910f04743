package dev.flowgate.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad configs, one small YAML text each, and the exact error a user reads: {@code file:line:column:
 * key: what is wrong}.
 */
@Timeout(30)
class BadConfigTest {

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        bad(
            "emptyFileIsRefused",
            "",
            "flowgate.yaml:1:1: the file is empty (expected settings such as interfaces: and"
                + " flows:)"),
        bad(
            "fileOfCommentsIsEmpty",
            "# nothing here\n",
            "flowgate.yaml:1:1: the file is empty (expected settings such as interfaces: and"
                + " flows:)"),
        bad(
            "topLevelListIsRefused",
            "- eth0\n",
            "flowgate.yaml:1:1: expected a mapping of settings (interfaces:, flows:, ...), got a"
                + " list"),
        bad(
            "topLevelScalarIsRefused",
            "eth0\n",
            "flowgate.yaml:1:1: expected a mapping of settings (interfaces:, flows:, ...), got"
                + " \"eth0\""),
        bad(
            "misspeltTopLevelKeyGetsSuggestion",
            "interface:\n  - name: eth0\n",
            "flowgate.yaml:1:1: interface: unknown key (did you mean interfaces?)"),
        bad(
            "unknownTopLevelKeyListsKnownOnes",
            "interfaces: []\ncolour: blue\n",
            "flowgate.yaml:2:1: colour: unknown key (expected interfaces, flows, dataplane,"
                + " state-directory, export, api, metrics, logging or alerts)"),
        bad(
            "alertsDetectorOutsideThresholdsGetsTheKnownKeys",
            "interfaces: []\nalerts:\n  syn-flood: {}\n",
            "flowgate.yaml:3:3: alerts.syn-flood: unknown key (expected hold-down,"
                + " extra-amplification-ports, allow, thresholds, hostgroups or sinks)"),
        bad(
            "alertsUnknownDetectorGetsSuggestion",
            "alerts:\n  thresholds:\n    syn-flod: {critical: 100pps}\n",
            "flowgate.yaml:3:5: alerts.thresholds.syn-flod: unknown key (did you mean syn-flood?)"),
        bad(
            "alertsThresholdInTheWrongUnit",
            "alerts:\n  thresholds:\n    syn-flood: {critical: 1Gbps}\n",
            "flowgate.yaml:3:27: alerts.thresholds.syn-flood.critical: \"1Gbps\" is a bit rate,"
                + " this threshold is a packet rate (write e.g. 20000pps or 20kpps)"),
        bad(
            "alertsBitRateDetectorRefusesPackets",
            "alerts:\n  thresholds:\n    bps: {warning: 20kpps}\n",
            "flowgate.yaml:3:20: alerts.thresholds.bps.warning: \"20kpps\" is a packet rate, this"
                + " threshold is a bit rate (write e.g. 500Mbps)"),
        bad(
            "alertsWarningMustBeBelowCritical",
            "alerts:\n  thresholds:\n    udp-flood: {warning: 300kpps, critical: 200kpps}\n",
            "flowgate.yaml:3:26: alerts.thresholds.udp-flood.warning: warning (300000) must be"
                + " below critical (200000)"),
        bad(
            "alertsMalformedCidr",
            "alerts:\n  allow: [10.0.0.0/33]\n",
            "flowgate.yaml:2:11: alerts.allow[0]: \"10.0.0.0/33\": prefix length 33 is out of range"
                + " (0..32)"),
        bad(
            "alertsCidrWithHostBits",
            "alerts:\n  hostgroups:\n    - name: web\n      networks: [192.0.2.1/24]\n",
            "flowgate.yaml:4:18: alerts.hostgroups[0].networks[0]: \"192.0.2.1/24\" has host bits"
                + " set (did you mean 192.0.2.0/24?)"),
        bad(
            "alertsNotAnAddress",
            "alerts:\n  allow: [example.com/24]\n",
            "flowgate.yaml:2:11: alerts.allow[0]: \"example.com/24\" is not a network (write"
                + " 192.0.2.0/24 or 2001:db8::/32)"),
        bad(
            "alertsOverlappingHostgroupsAtTheSamePrefixLength",
            "alerts:\n  hostgroups:\n    - name: web\n      networks: [192.0.2.0/24]\n"
                + "    - name: db\n      networks: [10.0.0.0/8, 192.0.2.0/24]\n",
            "flowgate.yaml:6:30: alerts.hostgroups[1].networks[1]: 192.0.2.0/24 is already listed"
                + " at the same prefix length (hostgroups[0].networks[0]): a host would belong to"
                + " two groups"),
        bad(
            "alertsOverlappingIpv6HostgroupsAtTheSamePrefixLength",
            "alerts:\n  hostgroups:\n    - name: web\n      networks: ['2001:db8::/32']\n"
                + "    - name: db\n      networks: ['2001:0db8:0::/32']\n",
            "flowgate.yaml:6:18: alerts.hostgroups[1].networks[0]: 2001:db8::/32 is already listed"
                + " at the same prefix length (hostgroups[0].networks[0]): a host would belong to"
                + " two groups"),
        bad(
            "alertsHostgroupNamedDefault",
            "alerts:\n  hostgroups:\n    - name: default\n      networks: [10.0.0.0/8]\n",
            "flowgate.yaml:3:13: alerts.hostgroups[0].name: \"default\" is the group of every other"
                + " host (set alerts.thresholds instead)"),
        bad(
            "alertsWebhookUrlNotHttp",
            "alerts:\n  sinks:\n    webhook: {url: 'ftp://x/y'}\n",
            "flowgate.yaml:3:20: alerts.sinks.webhook.url: \"ftp://x/y\" is not an http or https"
                + " URL with a host"),
        bad(
            "alertsAmplificationPortOutOfRange",
            "alerts:\n  extra-amplification-ports: [53, 70000]\n",
            "flowgate.yaml:2:35: alerts.extra-amplification-ports[1]: expected a UDP port"
                + " (1..65535), got 70000"),
        bad(
            "duplicateKeyNamesFirstLine",
            "flows:\n  idle-timeout: 15s\n  idle-timeout: 20s\n",
            "flowgate.yaml:3:3: flows.idle-timeout: duplicate key (first set at line 2)"),
        bad(
            "duplicateSectionIsRefused",
            "flows: {}\nmetrics: {}\nflows: {}\n",
            "flowgate.yaml:3:1: flows: duplicate key (first set at line 1)"),
        bad(
            "badIndentationIsSyntaxError",
            "flows:\n  idle-timeout: 15s\n   max-flows: 1\n",
            "flowgate.yaml:3:13: flows: YAML syntax error: mapping values are not allowed here"),
        bad(
            "unclosedFlowListIsSyntaxError",
            "interfaces: [\n",
            "flowgate.yaml:2:1: interfaces: YAML syntax error: expected the node content, but found"
                + " '<stream end>'"),
        bad(
            "unclosedQuoteNamesWhereItOpened",
            "api:\n  listen: \"127.0.0.1:9740\n",
            "flowgate.yaml:3:1: api.listen: YAML syntax error: found unexpected end of stream"
                + " (while scanning a quoted scalar at 2:11)"),
        bad(
            "tabIndentationIsSyntaxError",
            "flows:\n\tidle-timeout: 15s\n",
            "flowgate.yaml:2:1: flows: YAML syntax error: found character '\\t(TAB)' that cannot"
                + " start any token. (Do not use \\t(TAB) for indentation)"),
        bad(
            "complexKeyIsRefused",
            "? [a]\n: 1\n",
            "flowgate.yaml:1:4: YAML syntax error: only plain words can be keys"),
        bad(
            "aliasIsRefused",
            "flows:\n  idle-timeout: &t 15s\n  active-timeout: *t\n",
            "flowgate.yaml:3:19: flows.active-timeout: YAML aliases (*t) are not supported; write"
                + " the value out"),
        bad(
            "secondDocumentIsRefused",
            "flows: {}\n---\nflows: {}\n",
            "flowgate.yaml:3:1: a second YAML document; a config file holds exactly one"),
        bad(
            "durationWithBadUnit",
            "flows:\n  idle-timeout: 15x\n",
            "flowgate.yaml:2:17: flows.idle-timeout: \"15x\" is not a duration (use an integer and"
                + " ms, s, m or h)"),
        bad(
            "durationWithoutUnit",
            "flows:\n  active-timeout: 60\n",
            "flowgate.yaml:2:19: flows.active-timeout: 60 is not a duration (use an integer and ms,"
                + " s, m or h)"),
        bad(
            "durationWithFraction",
            "flows:\n  active-timeout: 1.5s\n",
            "flowgate.yaml:2:19: flows.active-timeout: \"1.5s\" is not a duration (use an integer"
                + " and ms, s, m or h)"),
        bad(
            "negativeDuration",
            "flows:\n  active-timeout: -1s\n",
            "flowgate.yaml:2:19: flows.active-timeout: \"-1s\" is not a duration (use an integer"
                + " and ms, s, m or h)"),
        bad(
            "compoundDuration",
            "flows:\n  active-timeout: 1m30s\n",
            "flowgate.yaml:2:19: flows.active-timeout: \"1m30s\" is not a duration (use an integer"
                + " and ms, s, m or h)"),
        bad(
            "durationWithNoValue",
            "flows:\n  idle-timeout:\n",
            "flowgate.yaml:2:16: flows.idle-timeout: has no value (expected a duration such as"
                + " 15s)"),
        bad(
            "sweepIntervalBelowMinimum",
            "flows:\n  sweep-interval: 50ms\n",
            "flowgate.yaml:2:19: flows.sweep-interval: 50ms is out of range (100ms..1m)"),
        bad(
            "idleLongerThanActive",
            "flows:\n  idle-timeout: 2m\n",
            "flowgate.yaml:2:17: flows.idle-timeout: idle-timeout (2m) must not be longer than"
                + " active-timeout (1m)"),
        bad(
            "activeShorterThanDefaultIdleBlamesActive",
            "flows:\n  active-timeout: 10s\n",
            "flowgate.yaml:2:19: flows.active-timeout: idle-timeout (15s) must not be longer than"
                + " active-timeout (10s)"),
        bad(
            "sweepIntervalNotShorterThanIdle",
            "flows:\n  sweep-interval: 15s\n",
            "flowgate.yaml:2:19: flows.sweep-interval: sweep-interval (15s) must be shorter than"
                + " idle-timeout (15s)"),
        bad(
            "maxFlowsBelowMinimum",
            "flows:\n  max-flows: 100\n",
            "flowgate.yaml:2:14: flows.max-flows: 100 is out of range (1024..16777216)"),
        bad(
            "maxFlowsNotANumber",
            "flows:\n  max-flows: lots\n",
            "flowgate.yaml:2:14: flows.max-flows: expected an integer, got \"lots\""),
        bad(
            "maxFlowsFraction",
            "flows:\n  max-flows: 1.5\n",
            "flowgate.yaml:2:14: flows.max-flows: expected an integer, got 1.5"),
        bad(
            "maxFlowsHex",
            "flows:\n  max-flows: 0x1000\n",
            "flowgate.yaml:2:14: flows.max-flows: expected a decimal integer, got 0x1000"),
        bad(
            "maxFlowsBeyondLong",
            "flows:\n  max-flows: 99999999999999999999\n",
            "flowgate.yaml:2:14: flows.max-flows: 99999999999999999999 is out of range"
                + " (1024..16777216)"),
        bad(
            "flowsAsList",
            "flows:\n  - max-flows: 1024\n",
            "flowgate.yaml:2:3: flows: expected a mapping, got a list"),
        bad(
            "unknownFlowsKeyListsKnownOnes",
            "flows:\n  foo: 1\n",
            "flowgate.yaml:2:3: flows.foo: unknown key (expected max-flows, sweep-interval,"
                + " active-timeout or idle-timeout)"),
        bad(
            "underscoreKeyGetsSuggestion",
            "flows:\n  idle_timeout: 10s\n",
            "flowgate.yaml:2:3: flows.idle_timeout: unknown key (did you mean idle-timeout?)"),
        bad(
            "interfacesAsScalar",
            "interfaces: eth0\n",
            "flowgate.yaml:1:13: interfaces: expected a list, got \"eth0\""),
        bad(
            "interfaceAsBareName",
            "interfaces:\n  - eth0\n",
            "flowgate.yaml:2:5: interfaces[0]: expected a mapping, got \"eth0\" (write - name:"
                + " eth0)"),
        bad(
            "interfaceWithoutName",
            "interfaces:\n  - name: eth0\n  - mode: xdp\n",
            "flowgate.yaml:3:5: interfaces[1].name: is required (an interface name, or /regex/)"),
        bad(
            "unknownMode",
            "interfaces:\n  - name: eth0\n    mode: xpd\n",
            "flowgate.yaml:3:11: interfaces[0].mode: \"xpd\" is not a mode (use xdp, xdp-generic or"
                + " tc)"),
        bad(
            "modeAsList",
            "interfaces:\n  - name: eth0\n    mode:\n      - xdp\n",
            "flowgate.yaml:4:7: interfaces[0].mode: expected xdp, xdp-generic or tc, got a list"),
        bad(
            "unknownDirection",
            "interfaces:\n  - name: eth0\n    direction: out\n",
            "flowgate.yaml:3:16: interfaces[0].direction: \"out\" is not a direction (use ingress,"
                + " egress or both)"),
        bad(
            "negativeSampling",
            "interfaces:\n  - name: eth0\n    sampling: -1\n",
            "flowgate.yaml:3:15: interfaces[0].sampling: -1 is out of range (0..2147483647)"),
        bad(
            "misspeltInterfaceKey",
            "interfaces:\n  - name: eth0\n    sample: 10\n",
            "flowgate.yaml:3:5: interfaces[0].sample: unknown key (did you mean sampling?)"),
        bad(
            "interfaceNameTooLong",
            "interfaces:\n  - name: averyveryverylongname0\n",
            "flowgate.yaml:2:11: interfaces[0].name: \"averyveryverylongname0\" is longer than 15"
                + " bytes"),
        bad(
            "interfaceNameWithSpace",
            "interfaces:\n  - name: eth 0\n",
            "flowgate.yaml:2:11: interfaces[0].name: \"eth 0\" is not an interface name (no '/',"
                + " ':', white space or control character; write a regex as /regex/)"),
        bad(
            "badRegex",
            "interfaces:\n  - name: /eth[0-9/\n",
            "flowgate.yaml:2:11: interfaces[0].name: \"/eth[0-9/\" is not a valid regex: Unclosed"
                + " character class near index 6"),
        bad(
            "emptyRegex",
            "interfaces:\n  - name: //\n",
            "flowgate.yaml:2:11: interfaces[0].name: the regex between the slashes is empty"),
        bad(
            "duplicateInterface",
            "interfaces:\n  - name: eth0\n  - name: eth1\n  - name: eth0\n",
            "flowgate.yaml:4:11: interfaces[2].name: \"eth0\" is already listed (interfaces[0])"),
        bad(
            "yesIsNotABoolean",
            "dataplane:\n  keep-attached: yes\n",
            "flowgate.yaml:2:18: dataplane.keep-attached: expected true or false, got yes"),
        bad(
            "quotedTrueIsAString",
            "dataplane:\n  keep-attached: \"true\"\n",
            "flowgate.yaml:2:18: dataplane.keep-attached: expected true or false, got \"true\""),
        bad(
            "relativePinPath",
            "dataplane:\n  pin-path: sys/fs/bpf/flowgate\n",
            "flowgate.yaml:2:13: dataplane.pin-path: \"sys/fs/bpf/flowgate\" is not an absolute"
                + " path"),
        bad(
            "stateDirectoryAsList",
            "state-directory: [/var/lib/flowgate]\n",
            "flowgate.yaml:1:18: state-directory: expected a path, got a list"),
        bad(
            "collectorWithoutPort",
            "export:\n  ipfix:\n    - collector: 127.0.0.1\n",
            "flowgate.yaml:3:18: export.ipfix[0].collector: \"127.0.0.1\" is not host:port (the"
                + " port is missing)"),
        bad(
            "ipv6CollectorWithoutBrackets",
            "export:\n  ipfix:\n    - collector: ::1:4739\n",
            "flowgate.yaml:3:18: export.ipfix[0].collector: \"::1:4739\" is not host:port (write"
                + " IPv6 addresses in brackets: [::1]:4739)"),
        bad(
            "collectorBadIpv4",
            "export:\n  ipfix:\n    - collector: 300.1.1.1:4739\n",
            "flowgate.yaml:3:18: export.ipfix[0].collector: \"300.1.1.1\" is not an IPv4 address"),
        bad(
            "collectorPortTooHigh",
            "export:\n  ipfix:\n    - collector: 127.0.0.1:70000\n",
            "flowgate.yaml:3:18: export.ipfix[0].collector: port 70000 is out of range (0..65535)"),
        bad(
            "collectorPortZero",
            "export:\n  ipfix:\n    - collector: 127.0.0.1:0\n",
            "flowgate.yaml:3:18: export.ipfix[0].collector: port 0 is not a collector's port"),
        bad(
            "collectorRequired",
            "export:\n  ipfix:\n    - protocol: ipfix\n",
            "flowgate.yaml:3:7: export.ipfix[0].collector: is required (host:port of the"
                + " collector)"),
        bad(
            "tcpOnlyWithIpfix",
            "export:\n"
                + "  ipfix:\n"
                + "    - collector: 127.0.0.1:2055\n"
                + "      protocol: netflow-v9\n"
                + "      transport: tcp\n",
            "flowgate.yaml:5:18: export.ipfix[0].transport: tcp is only for ipfix (netflow-v9 is"
                + " sent over udp)"),
        bad(
            "protocolIsCaseSensitive",
            "export:\n  ipfix:\n    - collector: 127.0.0.1:4739\n      protocol: IPFIX\n",
            "flowgate.yaml:4:17: export.ipfix[0].protocol: \"IPFIX\" is not a protocol (use ipfix,"
                + " netflow-v9 or netflow-v5)"),
        bad(
            "messageSizeTooLarge",
            "export:\n  ipfix:\n    - collector: 127.0.0.1:4739\n      max-message-size: 70000\n",
            "flowgate.yaml:4:25: export.ipfix[0].max-message-size: 70000 is out of range"
                + " (512..65507)"),
        bad(
            "observationDomainBeyond32Bits",
            "export:\n"
                + "  ipfix:\n"
                + "    - collector: 127.0.0.1:4739\n"
                + "      observation-domain-id: 4294967296\n",
            "flowgate.yaml:4:30: export.ipfix[0].observation-domain-id: 4294967296 is out of range"
                + " (0..4294967295)"),
        bad(
            "v5EngineIdBeyond8Bits",
            "export:\n"
                + "  ipfix:\n"
                + "    - collector: 127.0.0.1:2055\n"
                + "      protocol: netflow-v5\n"
                + "      observation-domain-id: 300\n",
            "flowgate.yaml:5:30: export.ipfix[0].observation-domain-id: 300 is out of range"
                + " (0..255)"),
        bad(
            "packetSamplesOverNetflow",
            "export:\n"
                + "  ipfix:\n"
                + "    - collector: 127.0.0.1:2055\n"
                + "      protocol: netflow-v9\n"
                + "      packet-samples: true\n",
            "flowgate.yaml:5:23: export.ipfix[0].packet-samples: packet samples are PSAMP over"
                + " IPFIX (netflow-v9 cannot carry them)"),
        bad(
            "packetSamplesInTheFlowsDomain",
            "export:\n"
                + "  ipfix:\n"
                + "    - collector: 127.0.0.1:4739\n"
                + "      packet-samples: true\n"
                + "      samples-observation-domain-id: 1\n",
            "flowgate.yaml:5:38: export.ipfix[0].samples-observation-domain-id: packet samples"
                + " need an observation domain of their own (both are 1)"),
        bad(
            "snapLengthBeyondTheRingRecord",
            "dataplane:\n  snap-length: 512\n",
            "flowgate.yaml:2:16: dataplane.snap-length: 512 is out of range (16..256)"),
        bad(
            "duplicateCollector",
            "export:\n  ipfix:\n    - collector: 127.0.0.1:4739\n    - collector: 127.0.0.1:4739\n",
            "flowgate.yaml:4:18: export.ipfix[1].collector: 127.0.0.1:4739 over udp is already"
                + " listed (ipfix[0])"),
        bad(
            "kafkaWithoutBootstrapServers",
            "export:\n  kafka:\n    - topic: flows\n",
            "flowgate.yaml:3:7: export.kafka[0].bootstrap-servers: is required (a list of"
                + " host:port)"),
        bad(
            "kafkaBootstrapServerWithoutPort",
            "export:\n  kafka:\n    - bootstrap-servers: [kafka1]\n      topic: flows\n",
            "flowgate.yaml:3:26: export.kafka[0].bootstrap-servers: bootstrap-servers: \"kafka1\""
                + " is not host:port (e.g. kafka1:9092)"),
        bad(
            "kafkaTopicWithASpace",
            "export:\n  kafka:\n    - bootstrap-servers: k:9092\n      topic: my flows\n",
            "flowgate.yaml:4:14: export.kafka[0].topic: topic \"my flows\" is not a Kafka topic"
                + " name (1-249 of a-z A-Z 0-9 . _ -)"),
        bad(
            "kafkaUnknownFormat",
            "export:\n  kafka:\n    - bootstrap-servers: k:9092\n      topic: t\n"
                + "      format: json\n",
            "flowgate.yaml:5:15: export.kafka[0].format: \"json\" is not a format (use protobuf"
                + " or arrow)"),
        bad(
            "kafkaFlowKeyNeedsProtobuf",
            "export:\n  kafka:\n    - bootstrap-servers: k:9092\n      topic: t\n"
                + "      format: arrow\n      key: flow\n",
            "flowgate.yaml:6:12: export.kafka[0].key: key flow needs format protobuf (an Arrow"
                + " message carries many flows)"),
        bad(
            "kafkaCompressionGzipIsNotOffered",
            "export:\n  kafka:\n    - bootstrap-servers: k:9092\n      topic: t\n"
                + "      compression: gzip\n",
            "flowgate.yaml:5:20: export.kafka[0].compression: \"gzip\" is not a compression (use"
                + " none, lz4 or zstd)"),
        bad(
            "kafkaMaxRequestSizeTooSmall",
            "export:\n  kafka:\n    - bootstrap-servers: k:9092\n      topic: t\n"
                + "      max-request-size: 1000\n",
            "flowgate.yaml:5:25: export.kafka[0].max-request-size: 1000 is out of range"
                + " (65536..67108864)"),
        bad(
            "kafkaClientCertWithoutKey",
            "export:\n  kafka:\n    - bootstrap-servers: k:9092\n      topic: t\n"
                + "      tls:\n        ca: /etc/ca.pem\n        cert: /etc/c.pem\n",
            "flowgate.yaml:6:9: export.kafka[0].tls.key: cert and key go together (mutual TLS) or"
                + " not at all"),
        bad(
            "kafkaSaslOtherMechanism",
            "export:\n  kafka:\n    - bootstrap-servers: k:9092\n      topic: t\n"
                + "      sasl:\n        mechanism: PLAIN\n        username: u\n"
                + "        password-file: /etc/p\n",
            "flowgate.yaml:6:20: export.kafka[0].sasl.mechanism: \"PLAIN\" is not a mechanism"
                + " (use SCRAM-SHA-512)"),
        bad(
            "kafkaSaslRelativePasswordFile",
            "export:\n  kafka:\n    - bootstrap-servers: k:9092\n      topic: t\n"
                + "      sasl:\n        username: u\n        password-file: secret\n",
            "flowgate.yaml:7:24: export.kafka[0].sasl.password-file: \"secret\" is not an"
                + " absolute path"),
        bad(
            "kafkaTopicListedTwice",
            "export:\n  kafka:\n    - bootstrap-servers: k:9092\n      topic: t\n"
                + "    - bootstrap-servers: k:9092\n      topic: t\n      format: arrow\n",
            "flowgate.yaml:6:14: export.kafka[1].topic: kafka:t@k:9092 is already listed"
                + " (kafka[0])"),
        bad(
            "spoolLimitBelowItsMinimum",
            "export:\n  spool-limit: 4096\n",
            "flowgate.yaml:2:16: export.spool-limit: must be 0 (no spool) or 1048576..1099511627776"
                + " bytes, was 4096"),
        bad(
            "removedCollectorTimeoutTooLong",
            "export:\n  removed-collector-timeout: 200h\n",
            "flowgate.yaml:2:30: export.removed-collector-timeout: 200h is out of range (0s..168h)"),
        bad(
            "spoolLimitNotANumber",
            "export:\n  spool-limit: 256MB\n",
            "flowgate.yaml:2:16: export.spool-limit: expected an integer, got \"256MB\""),
        bad(
            "arrowWithoutDirectory",
            "export:\n  arrow:\n    max-files: 10\n",
            "flowgate.yaml:3:5: export.arrow.directory: is required (omit export.arrow to write no"
                + " Arrow files)"),
        bad(
            "arrowRotatesFasterThanSweeps",
            "flows:\n"
                + "  sweep-interval: 10s\n"
                + "export:\n"
                + "  arrow:\n"
                + "    directory: /var/lib/flowgate/flows\n"
                + "    rotate-interval: 5s\n",
            "flowgate.yaml:6:22: export.arrow.rotate-interval: rotate-interval (5s) must not be"
                + " shorter than flows.sweep-interval (10s)"),
        bad(
            "publicApiNeedsToken",
            "api:\n  listen: 0.0.0.0:9740\n",
            "flowgate.yaml:2:11: api.listen: 0.0.0.0:9740 is not a loopback address, so a"
                + " token-file is required (the API can change what is monitored and capture"
                + " packets)"),
        bad(
            "listenWithBadPort",
            "api:\n  listen: \"[::1]:4739x\"\n",
            "flowgate.yaml:2:11: api.listen: \"[::1]:4739x\" has no valid port (0..65535)"),
        bad(
            "tlsWithoutKey",
            "api:\n  tls: {cert: /etc/flowgate/cert.pem}\n",
            "flowgate.yaml:2:8: api.tls.key: is required (PEM private key file)"),
        bad(
            "relativeTokenFile",
            "api:\n  token-file: api-token\n",
            "flowgate.yaml:2:15: api.token-file: \"api-token\" is not an absolute path"),
        bad(
            "metricsEnabledAsNumber",
            "metrics:\n  enabled: 1\n",
            "flowgate.yaml:2:12: metrics.enabled: expected true or false, got 1"),
        bad(
            "logLevelNotALevel",
            "logging:\n  level: verbose\n",
            "flowgate.yaml:2:10: logging.level: \"verbose\" is not a log level"
                + " (use error, warn, info, debug or trace)"),
        bad(
            "loggingUnknownKey",
            "logging:\n  format: json\n",
            "flowgate.yaml:2:3: logging.format: unknown key (expected level)"));
  }

  private static Arguments bad(String name, String yaml, String message) {
    return Arguments.of(name, yaml, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void badConfigIsRefusedWithItsPlace(String name, String yaml, String message) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml, "flowgate.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void tableHasAtLeastThirtyCases() {
    assertThat(badConfigs().count()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void exceptionCarriesEachPart() {
    assertThatThrownBy(() -> ConfigLoader.parse("flows:\n  idle-timeout: 15x\n", "a.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.file()).isEqualTo("a.yaml");
              assertThat(e.line()).isEqualTo(2);
              assertThat(e.column()).isEqualTo(17);
              assertThat(e.key()).isEqualTo("flows.idle-timeout");
              assertThat(e.detail())
                  .isEqualTo("\"15x\" is not a duration (use an integer and ms, s, m or h)");
            });
  }
}
