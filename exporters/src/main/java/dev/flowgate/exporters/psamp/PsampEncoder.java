package dev.flowgate.exporters.psamp;

import static dev.flowgate.exporters.ipfix.IpfixConstants.*;

import dev.flowgate.exporters.sample.SampleBatch;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.SortedMap;

/**
 * Encodes packet samples as PSAMP (RFC 5476/5477) over IPFIX: one data record per sampled packet
 * (template {@value dev.flowgate.exporters.ipfix.IpfixConstants#TEMPLATE_PACKET_SAMPLE}) and one
 * selector options record per interface (template {@value
 * dev.flowgate.exporters.ipfix.IpfixConstants#TEMPLATE_SELECTOR}) saying how it samples: systematic
 * count-based, 1 packet selected then N - 1 skipped.
 *
 * <p>The selector id of an interface is its ifindex. Samples travel under an observation domain of
 * their own, so a collector that files every record with an interface field as a flow keeps its
 * flow totals. Messages are never longer than the configured maximum.
 */
public final class PsampEncoder {

  /** Data record fields (template 260), (information element, length) in record order. */
  static final int[] SAMPLE_FIELDS = {
    SELECTOR_ID, 8,
    OBSERVATION_TIME_NANOSECONDS, 8,
    INGRESS_INTERFACE, 4,
    EGRESS_INTERFACE, 4,
    FLOW_DIRECTION, 1,
    DATA_LINK_FRAME_SIZE, 2,
    DATA_LINK_FRAME_SECTION, VARIABLE_LENGTH,
  };

  /** Selector options fields (template 261): scope selectorId, then how it selects. */
  static final int[] SELECTOR_FIELDS = {
    SELECTOR_ID, 8,
    SELECTOR_ALGORITHM, 2,
    SAMPLING_PACKET_INTERVAL, 4,
    SAMPLING_PACKET_SPACE, 4,
  };

  /** Bytes of a sample record before its frame section: 8 + 8 + 4 + 4 + 1 + 2. */
  static final int SAMPLE_FIXED_LENGTH = 27;

  /** Bytes of a selector options record: 8 + 2 + 4 + 4. */
  static final int SELECTOR_RECORD_LENGTH = 18;

  /** Seconds from the NTP era (1900-01-01) to the Unix epoch. */
  static final long NTP_EPOCH_OFFSET = 2_208_988_800L;

  /** Longest frame section encoded with a one-byte length (RFC 7011 section 7). */
  private static final int SHORT_VARLEN_MAX = 254;

  private final int observationDomainId;
  private final int maxMessageSize;

  /**
   * @param observationDomainId the samples' own domain, in every message header (unsigned 32-bit)
   * @param maxMessageSize the longest message, header included: at least {@link
   *     #minimumMessageSize()}, at most 65535
   */
  public PsampEncoder(long observationDomainId, int maxMessageSize) {
    if (observationDomainId < 0 || observationDomainId > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(
          "samples observation domain id not unsigned 32-bit: " + observationDomainId);
    }
    if (maxMessageSize < minimumMessageSize() || maxMessageSize > MAX_MESSAGE_LENGTH) {
      throw new IllegalArgumentException(
          "max message size "
              + maxMessageSize
              + " not in "
              + minimumMessageSize()
              + ".."
              + MAX_MESSAGE_LENGTH);
    }
    this.observationDomainId = (int) observationDomainId;
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * The smallest max message size: it holds a sample of the largest snap length (256 bytes, a
   * 3-byte length) and the template message.
   */
  public static int minimumMessageSize() {
    return MESSAGE_HEADER_LENGTH + SET_HEADER_LENGTH + SAMPLE_FIXED_LENGTH + 3 + 256;
  }

  /** The longest message this encoder writes. */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /**
   * Appends one message of sample records, from sample {@code from} of {@code samples} on, as many
   * as fit.
   *
   * @return the index after the last sample encoded ({@code from} if none was: nothing written)
   */
  public int encodeSamples(SampleBatch samples, int from, ByteBuf out) {
    int n = samples.size();
    if (from >= n) {
      return from;
    }
    int message = out.writerIndex();
    int limit = maxMessageSize - MESSAGE_HEADER_LENGTH - SET_HEADER_LENGTH;
    writeHeader(out);
    int set = out.writerIndex();
    out.writeShort(TEMPLATE_PACKET_SAMPLE).writeShort(0); // 4: set header, length patched below
    int used = 0;
    int i = from;
    byte[] data = samples.data();
    for (; i < n; i++) {
      int cap = samples.capturedLength(i);
      int record = SAMPLE_FIXED_LENGTH + (cap <= SHORT_VARLEN_MAX ? 1 : 3) + cap;
      if (used + record > limit) {
        break;
      }
      long ifindex = Integer.toUnsignedLong(samples.ifindex(i));
      boolean egress = samples.direction(i) == 1;
      out.writeLong(ifindex); // 8: selectorId, the interface's selector
      out.writeLong(ntpTime(samples.timeNanos(i))); // 8: observationTimeNanoseconds
      out.writeInt(egress ? 0 : (int) ifindex); // 4: ingressInterface
      out.writeInt(egress ? (int) ifindex : 0); // 4: egressInterface
      out.writeByte(samples.direction(i)); // 1: flowDirection
      out.writeShort(Math.min(0xFFFF, samples.originalLength(i))); // 2: dataLinkFrameSize
      if (cap <= SHORT_VARLEN_MAX) {
        out.writeByte(cap); // 1: variable length, short form
      } else {
        out.writeByte(255).writeShort(cap); // 3: 255, then the length
      }
      out.writeBytes(data, samples.frameOffset(i), cap); // dataLinkFrameSection
      used += record;
    }
    out.setShort(set + 2, out.writerIndex() - set);
    out.setShort(message + 2, out.writerIndex() - message);
    return i;
  }

  /** Appends the template message: the sample template, then the selector options template. */
  public void encodeTemplates(ByteBuf out) {
    int message = out.writerIndex();
    writeHeader(out);
    int set = out.writerIndex();
    out.writeShort(TEMPLATE_SET_ID).writeShort(0); // 4: set header
    out.writeShort(TEMPLATE_PACKET_SAMPLE).writeShort(SAMPLE_FIELDS.length / 2); // 4: id, count
    writeFieldSpecifiers(out, SAMPLE_FIELDS);
    out.setShort(set + 2, out.writerIndex() - set);
    set = out.writerIndex();
    out.writeShort(OPTIONS_TEMPLATE_SET_ID).writeShort(0); // 4: set header
    // 6: id, field count, scope field count
    out.writeShort(TEMPLATE_SELECTOR).writeShort(SELECTOR_FIELDS.length / 2).writeShort(1);
    writeFieldSpecifiers(out, SELECTOR_FIELDS);
    out.setShort(set + 2, out.writerIndex() - set);
    out.setShort(message + 2, out.writerIndex() - message);
  }

  /**
   * Appends one message of selector options records, one per interface of {@code rates} (ifindex to
   * its 1-in-N rate, N >= 1) from the {@code from}-th on, as many as fit.
   *
   * @return the index after the last interface encoded ({@code from} if none: nothing written)
   */
  public int encodeSelectors(SortedMap<Long, Integer> rates, int from, ByteBuf out) {
    if (from >= rates.size()) {
      return from;
    }
    int message = out.writerIndex();
    int limit = message + maxMessageSize;
    writeHeader(out);
    int set = out.writerIndex();
    out.writeShort(TEMPLATE_SELECTOR).writeShort(0); // 4: set header
    int i = 0;
    for (Map.Entry<Long, Integer> e : rates.entrySet()) {
      if (i < from) {
        i++;
        continue;
      }
      if (out.writerIndex() + SELECTOR_RECORD_LENGTH > limit) {
        break;
      }
      out.writeLong(e.getKey()); // 8: selectorId (scope): the ifindex
      out.writeShort(SELECTOR_SYSTEMATIC_COUNT); // 2: selectorAlgorithm
      out.writeInt(1); // 4: samplingPacketInterval: one packet selected
      out.writeInt(Math.max(0, e.getValue() - 1)); // 4: samplingPacketSpace: N - 1 skipped
      i++;
    }
    out.setShort(set + 2, out.writerIndex() - set);
    out.setShort(message + 2, out.writerIndex() - message);
    return i;
  }

  /** Stamps a message's export time (s) and sequence number (mod 2^32). */
  public void stamp(ByteBuf message, long nowMillis, long sequence) {
    int at = message.readerIndex();
    message.setInt(at + 4, (int) (nowMillis / 1000)); // 4: export time, seconds since the epoch
    message.setInt(at + 8, (int) sequence); // 4: sequence number
  }

  /** An epoch ns time as an NTP timestamp: seconds since 1900 (high 32), fraction (low 32). */
  static long ntpTime(long epochNanos) {
    long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
    long nanos = Math.floorMod(epochNanos, 1_000_000_000L);
    long fraction = (nanos << 32) / 1_000_000_000L;
    return ((seconds + NTP_EPOCH_OFFSET) << 32) | fraction;
  }

  /** 16 bytes: version, length (patched), export time and sequence (stamped later), domain. */
  private void writeHeader(ByteBuf out) {
    out.writeShort(VERSION).writeShort(0).writeInt(0).writeInt(0).writeInt(observationDomainId);
  }

  private static void writeFieldSpecifiers(ByteBuf out, int[] fields) {
    for (int i = 0; i < fields.length; i += 2) {
      out.writeShort(fields[i]).writeShort(fields[i + 1]); // enterprise bit clear: IANA elements
    }
  }
}
