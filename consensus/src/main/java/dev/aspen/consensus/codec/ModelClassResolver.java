package dev.aspen.consensus.codec;

import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Resolves implementation classes (for example MicroRaft's {@code Default*OrBuilder}) to the
 * registration of the model interface they implement, and refuses class names on input: only
 * registered ids are ever read, so bytes can never make Kryo load a class by name.
 */
final class ModelClassResolver extends DefaultClassResolver {
    private final Map<Class<?>, Registration> byImplementation = new IdentityHashMap<>();

    @Override
    @SuppressWarnings("rawtypes") // Kryo's ClassResolver API takes a raw Class
    public Registration getRegistration(Class type) {
        Registration registration = super.getRegistration(type);
        if (registration != null) {
            return registration;
        }
        Class<?> valueClass = type;
        return byImplementation.computeIfAbsent(valueClass, c -> WireType.of(c)
                .filter(wireType -> wireType.type() != c)
                .map(wireType -> super.getRegistration(wireType.type()))
                .orElse(null));
    }

    @Override
    protected Registration readName(Input input) {
        throw new CodecException("class names are not accepted, only registered type ids");
    }
}
