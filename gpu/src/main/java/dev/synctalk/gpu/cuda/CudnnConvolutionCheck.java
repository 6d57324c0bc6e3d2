package dev.synctalk.gpu.cuda;

import static jcuda.jcudnn.JCudnn.cudnnConvolutionForward;
import static jcuda.jcudnn.JCudnn.cudnnCreate;
import static jcuda.jcudnn.JCudnn.cudnnCreateConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroy;
import static jcuda.jcudnn.JCudnn.cudnnDestroyConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolution2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionMathType;
import static jcuda.jcudnn.JCudnn.cudnnSetFilter4dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetTensor4dDescriptor;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
import static jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;

import java.util.SplittableRandom;

import jcuda.Pointer;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * End-to-end proof that JCudnn works on this machine (through the cuDNN 9 shim where needed): a
 * 2x3x16x16 -> 2x4x16x16 convolution, 3x3 kernel, padding 1, fp32 FMA math (no TF32), against a CPU
 * convolution in double. Returns the error statistics of the cuDNN output.
 */
final class CudnnConvolutionCheck {
    static final int N = 2;
    static final int C = 3;
    static final int K = 4;
    static final int H = 16;
    static final int W = 16;

    private CudnnConvolutionCheck() {
    }

    static ErrorStats run(CudaDevice device, SplittableRandom rng) {
        CudnnLoader.load();
        float[] x = new float[N * C * H * W];
        float[] w = new float[K * C * 9];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        float[] expected = reference(x, w);
        cudnnHandle handle = new cudnnHandle();
        cudnnTensorDescriptor xDesc = new cudnnTensorDescriptor();
        cudnnTensorDescriptor yDesc = new cudnnTensorDescriptor();
        cudnnFilterDescriptor wDesc = new cudnnFilterDescriptor();
        cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
        device.synchronize(); // makes the device's context current on this thread for cuDNN's runtime calls
        cudnnCreate(handle);
        try (DeviceBuffer dx = device.upload(x); DeviceBuffer dw = device.upload(w);
             DeviceBuffer dy = device.allocateFloats((long) N * K * H * W)) {
            cudnnCreateTensorDescriptor(xDesc);
            cudnnCreateTensorDescriptor(yDesc);
            cudnnCreateFilterDescriptor(wDesc);
            cudnnCreateConvolutionDescriptor(conv);
            cudnnSetTensor4dDescriptor(xDesc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, N, C, H, W);
            cudnnSetTensor4dDescriptor(yDesc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, N, K, H, W);
            cudnnSetFilter4dDescriptor(wDesc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, K, C, 3, 3);
            cudnnSetConvolution2dDescriptor(conv, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT);
            cudnnSetConvolutionMathType(conv, CUDNN_FMA_MATH);
            long[] workspaceBytes = new long[1];
            cudnnGetConvolutionForwardWorkspaceSize(handle, xDesc, wDesc, conv, yDesc,
                    CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, workspaceBytes);
            device.poison(dy);
            try (DeviceBuffer workspace = device.allocate(Math.max(1, workspaceBytes[0]))) {
                cudnnConvolutionForward(handle, Pointer.to(new float[] {1f}), xDesc, dx.pointer(), wDesc, dw.pointer(),
                        conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, workspace.pointer(), workspaceBytes[0],
                        Pointer.to(new float[] {0f}), yDesc, dy.pointer());
                device.synchronize();
            }
            return ErrorStats.compare(expected, device.download(dy, N * K * H * W));
        } finally {
            cudnnDestroyConvolutionDescriptor(conv);
            cudnnDestroyFilterDescriptor(wDesc);
            cudnnDestroyTensorDescriptor(yDesc);
            cudnnDestroyTensorDescriptor(xDesc);
            cudnnDestroy(handle);
        }
    }

    private static float[] reference(float[] x, float[] w) {
        float[] y = new float[N * K * H * W];
        for (int n = 0; n < N; n++) {
            for (int k = 0; k < K; k++) {
                for (int i = 0; i < H; i++) {
                    for (int j = 0; j < W; j++) {
                        double sum = 0;
                        for (int c = 0; c < C; c++) {
                            for (int di = -1; di <= 1; di++) {
                                for (int dj = -1; dj <= 1; dj++) {
                                    int si = i + di;
                                    int sj = j + dj;
                                    if (si >= 0 && si < H && sj >= 0 && sj < W) {
                                        sum += (double) x[((n * C + c) * H + si) * W + sj]
                                                * w[((k * C + c) * 3 + di + 1) * 3 + dj + 1];
                                    }
                                }
                            }
                        }
                        y[((n * K + k) * H + i) * W + j] = (float) sum;
                    }
                }
            }
        }
        return y;
    }
}
