package dev.balora.core;

/** Version facts about this build of balora. */
public final class Balora {
    private Balora() {}

    /** @return the library version string. */
    public static String version() {
        String v = Balora.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
