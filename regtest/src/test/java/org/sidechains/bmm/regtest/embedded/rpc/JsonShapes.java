package org.sidechains.bmm.regtest.embedded.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/** Comparisons of JSON answers: the same shape (keys and value types), or the same values. */
final class JsonShapes {
    private JsonShapes() {
    }

    /**
     * Where {@code actual} differs in shape from {@code expected}: the same keys in the same order,
     * recursively, the same JSON types (all numbers alike), arrays element by element.
     */
    static Optional<String> shapeDifference(JsonNode expected, JsonNode actual) {
        return diff("$", expected, actual, false);
    }

    /** As {@link #shapeDifference}, and every value equal too (numbers compared as numbers). */
    static Optional<String> valueDifference(JsonNode expected, JsonNode actual) {
        return diff("$", expected, actual, true);
    }

    private static Optional<String> diff(String path, JsonNode e, JsonNode a, boolean values) {
        if (e.getNodeType() != a.getNodeType()) {
            return Optional.of(path + ": " + e.getNodeType() + " expected, got " + a.getNodeType() + " (" + a + ")");
        }
        if (e.isObject()) {
            List<String> ek = keys(e.fieldNames());
            List<String> ak = keys(a.fieldNames());
            if (!ek.equals(ak)) {
                return Optional.of(path + ": keys " + ek + " expected, got " + ak);
            }
            for (String k : ek) {
                Optional<String> d = diff(path + "." + k, e.get(k), a.get(k), values);
                if (d.isPresent()) {
                    return d;
                }
            }
            return Optional.empty();
        }
        if (e.isArray()) {
            if (e.size() != a.size()) {
                return Optional.of(path + ": " + e.size() + " elements expected, got " + a.size());
            }
            for (int i = 0; i < e.size(); i++) {
                Optional<String> d = diff(path + "[" + i + "]", e.get(i), a.get(i), values);
                if (d.isPresent()) {
                    return d;
                }
            }
            return Optional.empty();
        }
        if (!values) {
            return Optional.empty();
        }
        // bitcoind prints doubles with 16 digits, Java with up to 17: the same double either way
        boolean same = e.isNumber()
                ? e.decimalValue().compareTo(a.decimalValue()) == 0 || e.doubleValue() == a.doubleValue()
                : e.equals(a);
        return same ? Optional.empty() : Optional.of(path + ": " + e + " expected, got " + a);
    }

    private static List<String> keys(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
