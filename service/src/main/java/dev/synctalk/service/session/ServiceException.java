package dev.synctalk.service.session;

/** A request the service refuses, with the HTTP status it answers and a message naming the cause. */
public final class ServiceException extends RuntimeException {
    private final int status;

    public ServiceException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
