package dev.synctalk.gpu.tensor;

/**
 * Small row-wise kernels that glue the model's ops together: column copies (concatenation and
 * slicing, and their backward passes), broadcasting a row, column sums, per-column scaling (the
 * region attention of SyncTalk's Eq. 4), row L2 norms, softmax over rows, attention pooling and a
 * transpose. Every method works on rows [start, end) of row-major [N, C] arrays, so that a backend can
 * split rows into tasks, and writes only its own rows' outputs (reductions over rows are separate
 * methods that the backend sums in a fixed order).
 */
public final class TensorKernels {

    private TensorKernels() {
    }

    /** dst[n, dstCol + j] (= or +=) src[n, srcCol + j] for j < width, rows [start, end). */
    public static void copyColumns(float[] src, int srcStride, int srcCol, float[] dst, int dstStride, int dstCol,
                                   int width, boolean accumulate, int start, int end) {
        for (int n = start; n < end; n++) {
            int s = n * srcStride + srcCol;
            int d = n * dstStride + dstCol;
            if (accumulate) {
                for (int j = 0; j < width; j++) {
                    dst[d + j] += src[s + j];
                }
            } else {
                System.arraycopy(src, s, dst, d, width);
            }
        }
    }

    /** dst[n, dstCol + j] = row[rowOffset + j], rows [start, end). */
    public static void broadcastRow(float[] row, int rowOffset, int width, float[] dst, int dstStride, int dstCol,
                                    int start, int end) {
        for (int n = start; n < end; n++) {
            System.arraycopy(row, rowOffset, dst, n * dstStride + dstCol, width);
        }
    }

    /** partial[j] += sum over rows [start, end), in order, of src[n, srcCol + j]. */
    public static void sumColumns(float[] src, int srcStride, int srcCol, int width, float[] partial,
                                  int start, int end) {
        for (int n = start; n < end; n++) {
            int s = n * srcStride + srcCol;
            for (int j = 0; j < width; j++) {
                partial[j] += src[s + j];
            }
        }
    }

    /** y[n, j] = x[n, j] * scale[j], rows [start, end). */
    public static void scaleColumns(float[] x, float[] scale, float[] y, int width, int start, int end) {
        for (int n = start; n < end; n++) {
            int o = n * width;
            for (int j = 0; j < width; j++) {
                y[o + j] = x[o + j] * scale[j];
            }
        }
    }

    /** partial[j] += sum over rows [start, end) of gradY[n, j] * x[n, j] (the scale's gradient). */
    public static void scaleColumnsGradScale(float[] x, float[] gradY, float[] partial, int width, int start, int end) {
        for (int n = start; n < end; n++) {
            int o = n * width;
            for (int j = 0; j < width; j++) {
                partial[j] += gradY[o + j] * x[o + j];
            }
        }
    }

    /** norm[n] = sqrt(sum_j x[n, j]^2), rows [start, end). */
    public static void rowNorm(float[] x, float[] norm, int width, int start, int end) {
        for (int n = start; n < end; n++) {
            float sq = 0f;
            for (int j = 0; j < width; j++) {
                float v = x[n * width + j];
                sq += v * v;
            }
            norm[n] = (float) Math.sqrt(sq);
        }
    }

    /** gradX[n, j] = gradNorm[n] * x[n, j] / norm[n] (0 where the norm is 0, torch's subgradient), rows [start, end). */
    public static void rowNormBackward(float[] x, float[] norm, float[] gradNorm, float[] gradX, int width,
                                       int start, int end) {
        for (int n = start; n < end; n++) {
            float scale = norm[n] > 0f ? gradNorm[n] / norm[n] : 0f;
            for (int j = 0; j < width; j++) {
                gradX[n * width + j] = scale * x[n * width + j];
            }
        }
    }

    /** Numerically stable softmax of each row, rows [start, end). */
    public static void softmaxRows(float[] x, float[] y, int width, int start, int end) {
        for (int n = start; n < end; n++) {
            int o = n * width;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < width; j++) {
                max = Math.max(max, x[o + j]);
            }
            float sum = 0f;
            for (int j = 0; j < width; j++) {
                float e = (float) Math.exp(x[o + j] - max);
                y[o + j] = e;
                sum += e;
            }
            for (int j = 0; j < width; j++) {
                y[o + j] /= sum;
            }
        }
    }

    /** gradX = y * (gradY - sum_j gradY_j y_j), rows [start, end). */
    public static void softmaxRowsBackward(float[] y, float[] gradY, float[] gradX, int width, int start, int end) {
        for (int n = start; n < end; n++) {
            int o = n * width;
            float dot = 0f;
            for (int j = 0; j < width; j++) {
                dot += gradY[o + j] * y[o + j];
            }
            for (int j = 0; j < width; j++) {
                gradX[o + j] = y[o + j] * (gradY[o + j] - dot);
            }
        }
    }

    /** out[b, c] = sum_t w[b, t] * v[b, t, c], batch items [start, end). */
    public static void attentionPool(float[] w, float[] v, float[] out, int steps, int channels, int start, int end) {
        for (int b = start; b < end; b++) {
            for (int c = 0; c < channels; c++) {
                float acc = 0f;
                for (int t = 0; t < steps; t++) {
                    acc += w[b * steps + t] * v[(b * steps + t) * channels + c];
                }
                out[b * channels + c] = acc;
            }
        }
    }

    /** gradW[b, t] = sum_c gradOut[b, c] v[b, t, c]; gradV[b, t, c] = w[b, t] gradOut[b, c]; items [start, end). */
    public static void attentionPoolBackward(float[] w, float[] v, float[] gradOut, float[] gradW, float[] gradV,
                                             int steps, int channels, int start, int end) {
        for (int b = start; b < end; b++) {
            for (int t = 0; t < steps; t++) {
                float acc = 0f;
                int vo = (b * steps + t) * channels;
                for (int c = 0; c < channels; c++) {
                    acc += gradOut[b * channels + c] * v[vo + c];
                    if (gradV != null) {
                        gradV[vo + c] = w[b * steps + t] * gradOut[b * channels + c];
                    }
                }
                if (gradW != null) {
                    gradW[b * steps + t] = acc;
                }
            }
        }
    }

    /** y[b, c, a] = x[b, a, c] for x [B, A, C], batch items [start, end). */
    public static void transposeLastTwo(float[] x, float[] y, int rows, int cols, int start, int end) {
        for (int b = start; b < end; b++) {
            int base = b * rows * cols;
            for (int a = 0; a < rows; a++) {
                for (int c = 0; c < cols; c++) {
                    y[base + c * rows + a] = x[base + a * cols + c];
                }
            }
        }
    }

    /**
     * out[i] = clamp(base[i] + offset[i], -limit, limit), elements [start, end): SyncTalk's torso
     * coordinate deformation {@code (x + dx).clamp(-1, 1)}.
     */
    public static void offsetClamp(float[] base, float[] offset, float limit, float[] out, int start, int end) {
        for (int i = start; i < end; i++) {
            out[i] = Math.min(limit, Math.max(-limit, base[i] + offset[i]));
        }
    }

    /** gradOffset[i] = gradOut[i] where -limit &lt;= base + offset &lt;= limit, else 0 (torch's clamp), [start, end). */
    public static void offsetClampBackward(float[] base, float[] offset, float limit, float[] gradOut,
                                           float[] gradOffset, int start, int end) {
        for (int i = start; i < end; i++) {
            float v = base[i] + offset[i];
            gradOffset[i] = v >= -limit && v <= limit ? gradOut[i] : 0f;
        }
    }
}
