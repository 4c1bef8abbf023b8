package dev.balora.core;

import static org.junit.jupiter.api.Assertions.*;
import org.junit.jupiter.api.Test;

class BaloraTest {
    @Test
    void runsOnJava21OrNewer() {
        assertTrue(Runtime.version().feature() >= 21, "tests must run on the toolchain JDK >= 21");
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "--add-modules jdk.incubator.vector must reach the test JVM");
    }
}
