package dev.balora.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.models.finetune.Method;
import org.junit.jupiter.api.Test;

class E2eConfigTest {
    @Test
    void parsesEveryKeyAndKeepsDefaultsForTheRest() {
        E2eConfig c = E2eConfig.parse("method=ba-lora", "cache=off", "threads=2", "steps=7", "out=x.jsonl");
        assertEquals(Method.BALORA, c.method());
        assertFalse(c.teacherCache());
        assertEquals(2, c.threads());
        assertEquals(7, c.steps());
        assertEquals(32, c.batch());
        assertEquals(128, c.seqLen());
        assertEquals("balora cache=off", c.label());
        assertTrue(E2eConfig.parse("method=pissa").teacherCache());
        assertEquals("pissa", E2eConfig.parse("method=pissa").label());
        assertEquals(0.1, c.dropout(), "the job's dropout unless asked otherwise");
        assertEquals("lora dropout=0.0", E2eConfig.parse("dropout=0").label());
    }

    @Test
    void refusesUnknownKeysAndBadValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> E2eConfig.parse("step=3"));
        assertTrue(e.getMessage().contains("[step]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> E2eConfig.parse("batch=1"));
        assertThrows(IllegalArgumentException.class, () -> E2eConfig.parse("threads"));
        assertThrows(IllegalArgumentException.class, () -> E2eConfig.parse("dropout=1"));
    }
}
