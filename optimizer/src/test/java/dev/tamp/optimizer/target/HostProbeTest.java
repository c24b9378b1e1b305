package dev.tamp.optimizer.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HostProbeTest {
    @Test
    void sysfsSizesAndCpuinfoFieldsParse() {
        assertThat(HostProbe.parseSize("48K")).isEqualTo(48 * 1024);
        assertThat(HostProbe.parseSize("54M")).isEqualTo(54L << 20);
        assertThat(HostProbe.parseSize("512")).isEqualTo(512);
        String cpuinfo = "processor\t: 0\nmodel name\t: Cortex \"A72\"\nFeatures\t: fp asimd asimddp\n";
        assertThat(HostProbe.field(cpuinfo, "model name")).hasValue("Cortex \"A72\"");
        assertThat(HostProbe.field(cpuinfo, "flags")).isEmpty();
    }

    @Test
    void renderedSpecEscapesTheCpuNameAndGivesCachesInBinaryUnits() {
        HostProbe.Facts f = new HostProbe.Facts("Cortex \"A72\" \\ rev\t3", 4, OptionalDouble.of(1.5e9), 128, false,
                13.5e9, 2e9, 4.4e9, OptionalLong.of(32 << 10), OptionalLong.of(1 << 20), OptionalLong.empty(),
                512L << 20, List.of("test figures"));
        String text = TargetText.render("pi", f, 16L << 20, "2026-11-25");
        assertThat(text).contains("cpu       \"Cortex \\\"A72\\\" \\\\ rev3\"").contains("frequency 1.50 GHz")
                .contains("fp32 13.5 GFLOPS").contains("int8 2.00 GOPS").contains("bandwidth 4.40 GB/s")
                .contains("l1        32 KiB").contains("l2        1 MiB").doesNotContain("l3")
                .contains("ram     512 MiB").contains("storage 16 MiB").contains("// test figures");
    }
}
