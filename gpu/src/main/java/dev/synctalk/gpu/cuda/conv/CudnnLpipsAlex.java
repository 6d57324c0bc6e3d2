package dev.synctalk.gpu.cuda.conv;

import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardData;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBiasActivationForward;
import static jcuda.jcudnn.JCudnn.cudnnCreate;
import static jcuda.jcudnn.JCudnn.cudnnCreateActivationDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreatePoolingDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroy;
import static jcuda.jcudnn.JCudnn.cudnnDestroyActivationDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyPoolingDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionBackwardDataAlgorithm;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionForwardAlgorithm;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnPoolingBackward;
import static jcuda.jcudnn.JCudnn.cudnnPoolingForward;
import static jcuda.jcudnn.JCudnn.cudnnSetActivationDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolution2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionMathType;
import static jcuda.jcudnn.JCudnn.cudnnSetFilter4dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetPooling2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetTensor4dDescriptor;
import static jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_RELU;
import static jcuda.jcudnn.cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
import static jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_TENSOR_OP_MATH;
import static jcuda.jcudnn.cudnnNanPropagation.CUDNN_PROPAGATE_NAN;
import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC;
import static jcuda.jcudnn.cudnnStatus.CUDNN_STATUS_SUCCESS;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaKernel;
import dev.synctalk.gpu.cuda.CudnnLoader;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.LaunchShape;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.tensor.Tensor;
import jcuda.Pointer;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * {@link LpipsAlex} on the GPU: the distance of image pairs and its gradient w.r.t. the first image, for
 * a fixed image size and batches up to {@code maxBatch}.
 *
 * <p>Forward: the two images are stacked into one batch of 2N (x0's items first) so every cuDNN call covers
 * both; each conv is one {@code cudnnConvolutionBiasActivationForward} (bias + ReLU fused), the two max-pools
 * {@code cudnnPoolingForward} (3x3 stride 2, no padding: torch's floor mode), and the LPIPS head per tap
 * is lpips.cu's {@code lpips_tap_distance}. Backward, on x0's half only: {@code lpips_tap_backward} writes
 * each tap's own gradient, then from tap 5 down a ReLU mask (lpips.cu), {@code cudnnConvolutionBackwardData}
 * (accumulating into the tap below with beta = 1 where no pool lies between) and
 * {@code cudnnPoolingBackward} (likewise accumulating), and finally the scaling layer's backward.
 *
 * <p>fp32 with FMA math only (no TF32, like {@link CudnnAudioVisualEncoder}): the gradient drives the
 * fine phase's training. Algorithms are the fastest non-tensor-op ones cudnnFind measures at maxBatch.
 * Pool ties route to one input in cuDNN as on the CPU; only all-zero windows tie in practice (ReLU outputs),
 * and the ReLU mask zeroes the gradient there either way.
 *
 * <p>Threading: one thread drives it, like {@link CudaDevice}.
 */
public final class CudnnLpipsAlex implements AutoCloseable {

    private static final int POOL_WINDOW = 3;
    private static final int POOL_STRIDE = 2;

    /** One conv layer: shapes, weights and descriptors at the stacked (2N) and the gradient (N) batch. */
    private record Layer(Conv2d conv, int inH, int inW, int outH, int outW, DeviceBuffer weight, DeviceBuffer bias,
                         DeviceBuffer lin, cudnnFilterDescriptor filter, cudnnConvolutionDescriptor convolution,
                         cudnnTensorDescriptor biasDesc, cudnnTensorDescriptor inPair, cudnnTensorDescriptor outPair,
                         cudnnTensorDescriptor inSingle, cudnnTensorDescriptor outSingle, int[] forwardAlgorithm,
                         int[] backwardAlgorithm) {
        long inFloats() {
            return (long) conv.inChannels() * inH * inW;
        }

        long outFloats() {
            return (long) conv.outChannels() * outH * outW;
        }
    }

    private final CudaDevice device;
    private final int maxBatch;
    private final int height;
    private final int width;
    private final cudnnHandle handle = new cudnnHandle();
    private final cudnnActivationDescriptor relu = new cudnnActivationDescriptor();
    private final cudnnPoolingDescriptor pool = new cudnnPoolingDescriptor();
    private final List<Layer> layers = new ArrayList<>();
    private final DeviceBuffer scaled;
    private final DeviceBuffer[] taps = new DeviceBuffer[5];
    private final DeviceBuffer[] pooled = new DeviceBuffer[2];
    private final DeviceBuffer[] gradTaps = new DeviceBuffer[5];
    private final DeviceBuffer gradPooled;
    private final DeviceBuffer gradScaled;
    private DeviceBuffer workspace;
    private int describedBatch = -1;
    private final List<String> algorithms = new ArrayList<>();
    private final CudaKernel scaleKernel;
    private final CudaKernel tapDistance;
    private final CudaKernel tapBackward;
    private final CudaKernel reluMask;
    private final CudaKernel unscaleGrad;

    /** Uploads {@code model}'s weights and chooses the algorithms for {@code maxBatch} pairs of height x width. */
    public CudnnLpipsAlex(CudaDevice device, LpipsAlex model, int maxBatch, int height, int width) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        if (height < LpipsAlex.MIN_SIDE || width < LpipsAlex.MIN_SIDE) {
            throw new IllegalArgumentException("LPIPS (AlexNet) needs images of at least " + LpipsAlex.MIN_SIDE + "x"
                    + LpipsAlex.MIN_SIDE + " pixels, got " + width + "x" + height);
        }
        CudnnLoader.load();
        this.device = device;
        this.maxBatch = maxBatch;
        this.height = height;
        this.width = width;
        scaleKernel = device.kernel(KernelCatalog.LPIPS_SCALE);
        tapDistance = device.kernel(KernelCatalog.LPIPS_TAP_DISTANCE);
        tapBackward = device.kernel(KernelCatalog.LPIPS_TAP_BACKWARD);
        reluMask = device.kernel(KernelCatalog.LPIPS_RELU_MASK);
        unscaleGrad = device.kernel(KernelCatalog.LPIPS_UNSCALE_GRAD);
        device.synchronize(); // makes the device's context current for cuDNN's runtime calls
        cudnnCreate(handle);
        cudnnCreateActivationDescriptor(relu);
        cudnnSetActivationDescriptor(relu, CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN, 0.0);
        cudnnCreatePoolingDescriptor(pool);
        cudnnSetPooling2dDescriptor(pool, CUDNN_POOLING_MAX_DETERMINISTIC, CUDNN_PROPAGATE_NAN, POOL_WINDOW,
                POOL_WINDOW, 0, 0, POOL_STRIDE, POOL_STRIDE);
        Map<String, Tensor> named = model.namedTensors();
        int h = height;
        int w = width;
        long largestPooledGrad = 1;
        for (int k = 0; k < 5; k++) {
            Conv2d conv = model.conv(k);
            int oh = conv.outputHeight(h);
            int ow = conv.outputWidth(w);
            Layer layer = new Layer(conv, h, w, oh, ow, device.upload(named.get(LpipsAlex.CONV_NAMES[k] + ".weight").data()),
                    device.upload(named.get(LpipsAlex.CONV_NAMES[k] + ".bias").data()),
                    device.upload(named.get(LpipsAlex.linName(k)).data()), new cudnnFilterDescriptor(),
                    new cudnnConvolutionDescriptor(), new cudnnTensorDescriptor(), new cudnnTensorDescriptor(),
                    new cudnnTensorDescriptor(), new cudnnTensorDescriptor(), new cudnnTensorDescriptor(), new int[1],
                    new int[1]);
            cudnnCreateFilterDescriptor(layer.filter());
            cudnnSetFilter4dDescriptor(layer.filter(), CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, conv.outChannels(),
                    conv.inChannels(), conv.kernelH(), conv.kernelW());
            cudnnCreateConvolutionDescriptor(layer.convolution());
            cudnnSetConvolution2dDescriptor(layer.convolution(), conv.padH(), conv.padW(), conv.strideH(),
                    conv.strideW(), 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT);
            cudnnSetConvolutionMathType(layer.convolution(), CUDNN_FMA_MATH);
            cudnnCreateTensorDescriptor(layer.biasDesc());
            cudnnSetTensor4dDescriptor(layer.biasDesc(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, conv.outChannels(), 1, 1);
            for (cudnnTensorDescriptor d : new cudnnTensorDescriptor[] {layer.inPair(), layer.outPair(), layer.inSingle(),
                    layer.outSingle()}) {
                cudnnCreateTensorDescriptor(d);
            }
            layers.add(layer);
            taps[k] = device.allocateFloats(2L * maxBatch * layer.outFloats());
            gradTaps[k] = device.allocateFloats((long) maxBatch * layer.outFloats());
            h = oh;
            w = ow;
            if (k < 2) {
                h = poolOutput(h);
                w = poolOutput(w);
                long pooledFloats = (long) conv.outChannels() * h * w;
                pooled[k] = device.allocateFloats(2L * maxBatch * pooledFloats);
                largestPooledGrad = Math.max(largestPooledGrad, maxBatch * pooledFloats);
            }
        }
        scaled = device.allocateFloats(2L * maxBatch * 3 * height * width);
        gradScaled = device.allocateFloats((long) maxBatch * 3 * height * width);
        gradPooled = device.allocateFloats(largestPooledGrad);
        workspace = device.allocate(1);
        describe(maxBatch);
        chooseAlgorithms();
    }

    private static int poolOutput(int input) {
        return (input - POOL_WINDOW) / POOL_STRIDE + 1;
    }

    private void describe(int batch) {
        if (batch == describedBatch) {
            return;
        }
        for (Layer l : layers) {
            Conv2d c = l.conv();
            cudnnSetTensor4dDescriptor(l.inPair(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2 * batch, c.inChannels(), l.inH(), l.inW());
            cudnnSetTensor4dDescriptor(l.outPair(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2 * batch, c.outChannels(), l.outH(),
                    l.outW());
            cudnnSetTensor4dDescriptor(l.inSingle(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, batch, c.inChannels(), l.inH(), l.inW());
            cudnnSetTensor4dDescriptor(l.outSingle(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, batch, c.outChannels(), l.outH(),
                    l.outW());
        }
        if (describedBatch >= 0) {
            ensureWorkspace(workspaceBytes());
        }
        describedBatch = batch;
    }

    private long workspaceBytes() {
        long most = 1;
        for (Layer l : layers) {
            long[] bytes = new long[1];
            cudnnGetConvolutionForwardWorkspaceSize(handle, l.inPair(), l.filter(), l.convolution(), l.outPair(),
                    l.forwardAlgorithm()[0], bytes);
            most = Math.max(most, bytes[0]);
            cudnnGetConvolutionBackwardDataWorkspaceSize(handle, l.filter(), l.outSingle(), l.convolution(), l.inSingle(),
                    l.backwardAlgorithm()[0], bytes);
            most = Math.max(most, bytes[0]);
        }
        return most;
    }

    private void ensureWorkspace(long bytes) {
        if (bytes > workspace.sizeBytes()) {
            workspace.close();
            workspace = device.allocate(bytes);
        }
    }

    /** The fastest fp32 non-tensor-op forward and backward-data algorithm per layer at maxBatch, by cudnnFind. */
    private void chooseAlgorithms() {
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            int[] returned = new int[1];
            cudnnConvolutionFwdAlgoPerf[] forward = new cudnnConvolutionFwdAlgoPerf[8];
            for (int k = 0; k < forward.length; k++) {
                forward[k] = new cudnnConvolutionFwdAlgoPerf();
            }
            cudnnFindConvolutionForwardAlgorithm(handle, l.inPair(), l.filter(), l.convolution(), l.outPair(),
                    forward.length, returned, forward);
            l.forwardAlgorithm()[0] = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
            for (int k = 0; k < returned[0]; k++) {
                if (forward[k].status == CUDNN_STATUS_SUCCESS && forward[k].mathType != CUDNN_TENSOR_OP_MATH) {
                    l.forwardAlgorithm()[0] = forward[k].algo;
                    break;
                }
            }
            cudnnConvolutionBwdDataAlgoPerf[] backward = new cudnnConvolutionBwdDataAlgoPerf[8];
            for (int k = 0; k < backward.length; k++) {
                backward[k] = new cudnnConvolutionBwdDataAlgoPerf();
            }
            cudnnFindConvolutionBackwardDataAlgorithm(handle, l.filter(), l.outSingle(), l.convolution(), l.inSingle(),
                    backward.length, returned, backward);
            l.backwardAlgorithm()[0] = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
            for (int k = 0; k < returned[0]; k++) {
                if (backward[k].status == CUDNN_STATUS_SUCCESS && backward[k].mathType != CUDNN_TENSOR_OP_MATH) {
                    l.backwardAlgorithm()[0] = backward[k].algo;
                    break;
                }
            }
            algorithms.add("conv" + (i + 1) + ": " + cudnnConvolutionFwdAlgo.stringFor(l.forwardAlgorithm()[0]) + " / "
                    + cudnnConvolutionBwdDataAlgo.stringFor(l.backwardAlgorithm()[0]));
        }
        ensureWorkspace(workspaceBytes());
    }

    /** The forward / backward-data algorithm chosen for each conv layer. */
    public List<String> algorithms() {
        return List.copyOf(algorithms);
    }

    public int maxBatch() {
        return maxBatch;
    }

    /**
     * Enqueues the distances of {@code batch} pairs: x0, x1 [batch, 3, H, W] in [-1, 1] -> distance [batch]
     * (device buffers). Does not wait.
     */
    public void distance(DeviceBuffer x0, DeviceBuffer x1, DeviceBuffer distance, int batch) {
        forward(x0, x1, distance, batch);
    }

    /**
     * Enqueues the distances and, into gradX0 [batch, 3, H, W] (overwritten), the gradient of
     * sum_n gradDistance[n] * distance[n] w.r.t. x0. Does not wait.
     */
    public void distanceAndGradient(DeviceBuffer x0, DeviceBuffer x1, DeviceBuffer gradDistance, DeviceBuffer distance,
                                    DeviceBuffer gradX0, int batch) {
        forward(x0, x1, distance, batch);
        requireFloats("gradDistance", gradDistance, batch);
        requireFloats("gradX0", gradX0, (long) batch * 3 * height * width);
        for (int k = 0; k < 5; k++) {
            Layer l = layers.get(k);
            tapBackward.launch(KernelCatalog.elementwise(device, (long) batch * l.outH() * l.outW()), KernelArgs.create()
                    .i32(batch).i32(l.conv().outChannels()).i32(l.outH() * l.outW()).buffer(taps[k]).buffer(l.lin())
                    .buffer(gradDistance).buffer(gradTaps[k]));
        }
        Pointer one = Pointer.to(new float[] {1f});
        Pointer zero = Pointer.to(new float[] {0f});
        for (int k = 4; k >= 0; k--) {
            Layer l = layers.get(k);
            long outFloats = (long) batch * l.outFloats();
            reluMask.launch(KernelCatalog.elementwise(device, outFloats),
                    KernelArgs.create().i64(outFloats).buffer(taps[k]).buffer(gradTaps[k]));
            // below a pool (and for the input) the conv's input gradient lands in scratch; else it adds to the tap below
            boolean direct = k >= 3;
            DeviceBuffer target = k == 0 ? gradScaled : direct ? gradTaps[k - 1] : gradPooled;
            try {
                cudnnConvolutionBackwardData(handle, one, l.filter(), l.weight().pointer(), l.outSingle(),
                        gradTaps[k].pointer(), l.convolution(), l.backwardAlgorithm()[0], workspace.pointer(),
                        workspace.sizeBytes(), direct ? one : zero, l.inSingle(), target.pointer());
                if (k == 1 || k == 2) {
                    Layer below = layers.get(k - 1);
                    // x0's half of the pair buffers: items 0..batch-1 come first
                    cudnnPoolingBackward(handle, pool, one, l.inSingle(), pooled[k - 1].pointer(), l.inSingle(),
                            gradPooled.pointer(), below.outSingle(), taps[k - 1].pointer(), one, below.outSingle(),
                            gradTaps[k - 1].pointer());
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException("cuDNN LPIPS backward through conv" + (k + 1) + " (" + l.conv() + ", "
                        + cudnnConvolutionBwdDataAlgo.stringFor(l.backwardAlgorithm()[0]) + ", batch " + batch
                        + ") failed: " + e.getMessage(), e);
            }
        }
        long inputFloats = (long) batch * 3 * height * width;
        unscaleGrad.launch(KernelCatalog.elementwise(device, inputFloats), KernelArgs.create().i64(inputFloats)
                .i32(height * width).buffer(gradScaled).buffer(gradX0).f32(LpipsAlex.scale(0)).f32(LpipsAlex.scale(1))
                .f32(LpipsAlex.scale(2)));
    }

    private void forward(DeviceBuffer x0, DeviceBuffer x1, DeviceBuffer distance, int batch) {
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException("LPIPS batch " + batch + " is outside 1.." + maxBatch);
        }
        long imageFloats = (long) batch * 3 * height * width;
        requireFloats("x0", x0, imageFloats);
        requireFloats("x1", x1, imageFloats);
        requireFloats("distance", distance, batch);
        describe(batch);
        scaleKernel.launch(KernelCatalog.elementwise(device, 2 * imageFloats), KernelArgs.create().i64(imageFloats)
                .i32(height * width).buffer(x0).buffer(x1).buffer(scaled).f32(LpipsAlex.shift(0)).f32(LpipsAlex.shift(1))
                .f32(LpipsAlex.shift(2)).f32(LpipsAlex.scale(0)).f32(LpipsAlex.scale(1)).f32(LpipsAlex.scale(2)));
        device.fill(distance, 0f);
        Pointer one = Pointer.to(new float[] {1f});
        Pointer zero = Pointer.to(new float[] {0f});
        DeviceBuffer input = scaled;
        for (int k = 0; k < 5; k++) {
            Layer l = layers.get(k);
            try {
                // z aliases y with alpha2 = 0: no residual term
                cudnnConvolutionBiasActivationForward(handle, one, l.inPair(), input.pointer(), l.filter(),
                        l.weight().pointer(), l.convolution(), l.forwardAlgorithm()[0], workspace.pointer(),
                        workspace.sizeBytes(), zero, l.outPair(), taps[k].pointer(), l.biasDesc(), l.bias().pointer(), relu,
                        l.outPair(), taps[k].pointer());
                input = taps[k];
                if (k < 2) {
                    cudnnPoolingForward(handle, pool, one, l.outPair(), taps[k].pointer(), zero,
                            layers.get(k + 1).inPair(), pooled[k].pointer());
                    input = pooled[k];
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException("cuDNN LPIPS forward conv" + (k + 1) + " (" + l.conv() + ", "
                        + cudnnConvolutionFwdAlgo.stringFor(l.forwardAlgorithm()[0]) + ", batch " + batch + ") failed: "
                        + e.getMessage(), e);
            }
            tapDistance.launch(new LaunchShape(batch, 1, 1, KernelCatalog.ELEMENTWISE_BLOCK, 1, 1, 0), KernelArgs.create()
                    .i32(batch).i32(l.conv().outChannels()).i32(l.outH() * l.outW()).buffer(taps[k]).buffer(l.lin())
                    .buffer(distance));
        }
    }

    private static void requireFloats(String name, DeviceBuffer buffer, long floats) {
        if (buffer.floatCount() < floats) {
            throw new IllegalArgumentException("LPIPS buffer " + name + " holds " + buffer.floatCount()
                    + " floats, needs " + floats);
        }
    }

    /** Host convenience: per-pair distances of x0, x1 [batch * 3 * H * W], waiting for the result. */
    public double[] distance(float[] x0, float[] x1, int batch) {
        try (DeviceBuffer d0 = device.upload(x0); DeviceBuffer d1 = device.upload(x1);
             DeviceBuffer out = device.allocateFloats(batch)) {
            device.poison(out);
            distance(d0, d1, out, batch);
            device.synchronize();
            return toDoubles(device.download(out, batch));
        }
    }

    /** Host convenience: distances, and the gradient w.r.t. x0 into {@code gradX0} (overwritten); waits. */
    public double[] distanceAndGradient(float[] x0, float[] x1, float[] gradDistance, float[] gradX0, int batch) {
        try (DeviceBuffer d0 = device.upload(x0); DeviceBuffer d1 = device.upload(x1);
             DeviceBuffer dg = device.upload(gradDistance); DeviceBuffer out = device.allocateFloats(batch);
             DeviceBuffer grad = device.allocateFloats(x0.length)) {
            device.poison(out);
            device.poison(grad);
            distanceAndGradient(d0, d1, dg, out, grad, batch);
            device.synchronize();
            device.copyToHost(grad, gradX0);
            return toDoubles(device.download(out, batch));
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    @Override
    public void close() {
        for (Layer l : layers) {
            for (cudnnTensorDescriptor d : new cudnnTensorDescriptor[] {l.inPair(), l.outPair(), l.inSingle(),
                    l.outSingle(), l.biasDesc()}) {
                cudnnDestroyTensorDescriptor(d);
            }
            cudnnDestroyConvolutionDescriptor(l.convolution());
            cudnnDestroyFilterDescriptor(l.filter());
            l.weight().close();
            l.bias().close();
            l.lin().close();
        }
        cudnnDestroyPoolingDescriptor(pool);
        cudnnDestroyActivationDescriptor(relu);
        cudnnDestroy(handle);
        for (DeviceBuffer b : taps) {
            b.close();
        }
        for (DeviceBuffer b : gradTaps) {
            b.close();
        }
        for (DeviceBuffer b : pooled) {
            b.close();
        }
        scaled.close();
        gradScaled.close();
        gradPooled.close();
        workspace.close();
    }
}
