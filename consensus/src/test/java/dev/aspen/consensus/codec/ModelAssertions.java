package dev.aspen.consensus.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Compares MicroRaft model values through their interface getters (the default implementations do
 * not implement {@code equals}).
 */
public final class ModelAssertions {
    private ModelAssertions() {}

    public static void assertSameModel(Object expected, Object actual) {
        compare(expected, actual, "value");
    }

    private static void compare(Object expected, Object actual, String path) {
        if (expected == null || actual == null) {
            assertThat(actual).as(path).isEqualTo(expected);
        } else if (expected instanceof byte[] bytes) {
            assertThat(actual).as(path).isInstanceOf(byte[].class);
            assertThat((byte[]) actual).as(path).isEqualTo(bytes);
        } else if (expected instanceof Collection<?> collection) {
            assertThat(actual).as(path).isInstanceOf(Collection.class);
            List<?> left = new ArrayList<>(collection);
            List<?> right = new ArrayList<>((Collection<?>) actual);
            assertThat(right).as(path + " size").hasSameSizeAs(left);
            for (int i = 0; i < left.size(); i++) {
                compare(left.get(i), right.get(i), path + "[" + i + "]");
            }
        } else if (isModel(expected)) {
            WireType type = WireType.of(expected.getClass()).orElseThrow();
            assertThat(WireType.of(actual.getClass())).as(path + " type").contains(type);
            for (Method getter : getters(type.type())) {
                compare(invoke(getter, expected), invoke(getter, actual), path + "." + getter.getName());
            }
        } else {
            assertThat(actual).as(path).isEqualTo(expected);
        }
    }

    private static boolean isModel(Object value) {
        return WireType.of(value.getClass())
                .filter(type -> type.type().isInterface())
                .isPresent();
    }

    private static List<Method> getters(Class<?> type) {
        List<Method> getters = new ArrayList<>();
        for (Method method : type.getMethods()) {
            boolean getter =
                    method.getName().startsWith("get") || method.getName().startsWith("is");
            if (getter && method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers())) {
                getters.add(method);
            }
        }
        getters.sort(Comparator.comparing(Method::getName));
        assertThat(getters).as("getters of " + type.getSimpleName()).isNotEmpty();
        return getters;
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new AssertionError("cannot call " + getter + " on " + target, e);
        }
    }
}
