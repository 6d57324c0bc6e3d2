package dev.synctalk.dataset;

/** A dataset folder that cannot be read or written: the message names the folder and the file or key. */
public final class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
