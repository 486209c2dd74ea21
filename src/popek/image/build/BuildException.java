package popek.image.build;

/** A build that cannot go on: one line for the user, beginning with the Popekfile's name and line when there is one. */
public final class BuildException extends Exception {
    public BuildException(String message) { super(message); }

    /** At {@code file}:{@code line}. */
    public BuildException(String file, int line, String message) { super(file + ":" + line + ": " + message); }
}
