package org.sidechains.bmm.bench;

import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sidechains.bmm.m7.M7;
import org.sidechains.bmm.m7.M7Codec;

/**
 * M7Codec.parse of a 256-entry M7 coinbase output (OP_RETURN PUSHDATA2 "BMM7" + 256 x 35 bytes).
 * MB/s = script length / (ns/op) * 1000 (MB = 10^6 bytes); the length is printed at setup.
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
public class M7ParseBench {

    @State(Scope.Thread)
    public static class Script {
        byte[] script;

        @Setup(Level.Trial)
        public void setup() {
            script = M7Codec.write(Fixtures.block(new SplittableRandom(3), 0).entries());
            if (M7Codec.parse(script).orElseThrow().entries().size() != 256) {
                throw new IllegalStateException("not a 256-entry M7");
            }
            System.out.println("[M7ParseBench] script length " + script.length + " bytes");
        }
    }

    @Benchmark
    public Optional<M7> parse(Script s) {
        return M7Codec.parse(s.script);
    }
}
