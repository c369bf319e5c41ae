package io.chronik.dist;

import java.util.List;
import java.util.stream.IntStream;

/** Distinct, recognisable message values, so a lost, duplicated or reordered record shows by name. */
final class Payloads {

    private Payloads() {
    }

    static List<String> numbered(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
