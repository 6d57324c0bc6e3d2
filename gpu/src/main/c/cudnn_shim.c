/*
 * libcudnn.so.8 compatibility shim: lets JCudnn 11.7.0 (linked against cuDNN 8, symbol version node
 * "libcudnn.so.8") run on a machine that only has cuDNN 9.
 *
 * Every cudnn* symbol libJCudnn imports (cudnn_imports.def) is exported here as an assembly trampoline
 * `jmp *slot(%rip)`: arguments and return value pass through untouched, whatever the signature.
 * A constructor fills the slots with dlopen("libcudnn.so.9") + dlsym when the shim is loaded, before
 * libJCudnn is. Symbols cuDNN 9 dropped keep the fallback, which returns CUDNN_STATUS_NOT_SUPPORTED (9 in
 * cuDNN 8's numbering), so a removed API fails as an error instead of a crash.
 * SYNCTALK_CUDNN_LIBRARY overrides the library opened (an absolute path); a library already loaded under
 * the SONAME libcudnn.so.9 (CudnnLoader preloads it by path) satisfies the dlopen too.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#define CUDNN8_STATUS_NOT_SUPPORTED 9

static int shim_not_supported(void) { return CUDNN8_STATUS_NOT_SUPPORTED; }

typedef int (*shim_fn)(void);

/* One slot per symbol, hidden so the trampolines address it PC-relative without a GOT entry. */
#define SHIM_SYMBOL(name) __attribute__((visibility("hidden"))) shim_fn shim_slot_##name = shim_not_supported;
#include "cudnn_imports.def"
#undef SHIM_SYMBOL

#define SHIM_SYMBOL(name)                                  \
    __asm__(".pushsection .text\n"                         \
            ".globl " #name "\n"                           \
            ".type " #name ", @function\n"                 \
            ".p2align 4\n" #name ":\n"                     \
            "    jmp *shim_slot_" #name "(%rip)\n"         \
            ".size " #name ", . - " #name "\n"             \
            ".popsection\n");
#include "cudnn_imports.def"
#undef SHIM_SYMBOL

static int shim_resolved_count;
static int shim_missing_count;

static void shim_bind(void *library, const char *name, shim_fn *slot) {
    void *target = dlsym(library, name);
    if (target != NULL) {
        *slot = (shim_fn) target;
        shim_resolved_count++;
    } else {
        shim_missing_count++;
    }
}

__attribute__((constructor)) static void shim_load_cudnn9(void) {
    const char *override = getenv("SYNCTALK_CUDNN_LIBRARY");
    const char *path = (override != NULL && override[0] != '\0') ? override : "libcudnn.so.9";
    void *library = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (library == NULL) {
        fprintf(stderr, "libcudnn.so.8 shim: cannot open %s (%s); every cuDNN call will return NOT_SUPPORTED\n",
                path, dlerror());
        return;
    }
#define SHIM_SYMBOL(name) shim_bind(library, #name, &shim_slot_##name);
#include "cudnn_imports.def"
#undef SHIM_SYMBOL
    if (getenv("SYNCTALK_CUDNN_SHIM_VERBOSE") != NULL) {
        fprintf(stderr, "libcudnn.so.8 shim: %s bound %d symbols, %d missing (those return NOT_SUPPORTED)\n",
                path, shim_resolved_count, shim_missing_count);
    }
}
