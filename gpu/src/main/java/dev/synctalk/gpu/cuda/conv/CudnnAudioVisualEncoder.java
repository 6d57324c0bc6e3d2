package dev.synctalk.gpu.cuda.conv;

import static jcuda.jcudnn.JCudnn.cudnnConvolutionBiasActivationForward;
import static jcuda.jcudnn.JCudnn.cudnnCreate;
import static jcuda.jcudnn.JCudnn.cudnnCreateActivationDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroy;
import static jcuda.jcudnn.JCudnn.cudnnDestroyActivationDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionForwardAlgorithm;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnSetActivationDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolution2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionMathType;
import static jcuda.jcudnn.JCudnn.cudnnSetFilter4dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetTensor4dDescriptor;
import static jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_RELU;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
import static jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_TENSOR_OP_MATH;
import static jcuda.jcudnn.cudnnNanPropagation.CUDNN_PROPAGATE_NAN;
import static jcuda.jcudnn.cudnnStatus.CUDNN_STATUS_SUCCESS;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;

import java.util.ArrayList;
import java.util.List;

import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudnnLoader;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.nerf.audio.AudioVisualEncoder;
import jcuda.Pointer;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;

/**
 * The frozen {@link AudioVisualEncoder} on the GPU through JCudnn, a batch of windows per call. Each block
 * is one {@code cudnnConvolutionBiasActivationForward}: the inference batch norm is folded into the
 * convolution (weight' = weight * scale[c], bias' = bias * scale[c] + shift[c], in double before rounding),
 * the residual input enters as cuDNN's z term (alpha2 = 1), and the ReLU is cuDNN's activation, so
 * y = relu(conv(x, weight') + bias' + z) exactly as the CPU encoder computes relu(bn(conv(x)) + x).
 *
 * <p>fp32 with FMA math only (no TF32: the AVE's features feed a trained network, and TF32's 10-bit mantissa
 * would move them by about 1e-3); the algorithm per block is the fastest that cudnnFind measures for the
 * largest batch. Activations ping-pong between two device buffers sized for {@code maxBatch}.
 *
 * <p>Threading: one thread drives it, like {@link CudaDevice}.
 */
public final class CudnnAudioVisualEncoder implements AutoCloseable {

    private record Stage(Conv2d conv, boolean residual, int inH, int inW, int outH, int outW, DeviceBuffer weight,
                         DeviceBuffer bias, cudnnFilterDescriptor filter, cudnnConvolutionDescriptor convolution,
                         cudnnTensorDescriptor biasDesc, cudnnTensorDescriptor inDesc, cudnnTensorDescriptor outDesc,
                         int[] algorithm) {
    }

    private final CudaDevice device;
    private final int maxBatch;
    private final int featureDim;
    private final cudnnHandle handle = new cudnnHandle();
    private final cudnnActivationDescriptor relu = new cudnnActivationDescriptor();
    private final List<Stage> stages = new ArrayList<>();
    private final DeviceBuffer ping;
    private final DeviceBuffer pong;
    private DeviceBuffer workspace;
    private int describedBatch = -1;
    private final List<String> algorithms = new ArrayList<>();

    public CudnnAudioVisualEncoder(CudaDevice device, AudioVisualEncoder encoder, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        CudnnLoader.load();
        this.device = device;
        this.maxBatch = maxBatch;
        this.featureDim = encoder.featureDim();
        device.synchronize(); // makes the device's context current for cuDNN's runtime calls
        cudnnCreate(handle);
        cudnnCreateActivationDescriptor(relu);
        cudnnSetActivationDescriptor(relu, CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN, 0.0);
        int h = AudioVisualEncoder.MEL_BANDS;
        int w = AudioVisualEncoder.WINDOW_FRAMES;
        long largest = 0;
        for (AudioVisualEncoder.Layer layer : encoder.layers()) {
            Conv2d conv = layer.block().conv();
            int oh = conv.outputHeight(h);
            int ow = conv.outputWidth(w);
            float[][] folded = fold(layer);
            Stage s = new Stage(conv, layer.block().residual(), h, w, oh, ow, device.upload(folded[0]),
                    device.upload(folded[1]), new cudnnFilterDescriptor(), new cudnnConvolutionDescriptor(),
                    new cudnnTensorDescriptor(), new cudnnTensorDescriptor(), new cudnnTensorDescriptor(), new int[1]);
            cudnnCreateFilterDescriptor(s.filter());
            cudnnSetFilter4dDescriptor(s.filter(), CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, conv.outChannels(),
                    conv.inChannels(), conv.kernelH(), conv.kernelW());
            cudnnCreateConvolutionDescriptor(s.convolution());
            cudnnSetConvolution2dDescriptor(s.convolution(), conv.padH(), conv.padW(), conv.strideH(), conv.strideW(),
                    1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT);
            cudnnSetConvolutionMathType(s.convolution(), CUDNN_FMA_MATH);
            cudnnCreateTensorDescriptor(s.biasDesc());
            cudnnSetTensor4dDescriptor(s.biasDesc(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, conv.outChannels(), 1, 1);
            cudnnCreateTensorDescriptor(s.inDesc());
            cudnnCreateTensorDescriptor(s.outDesc());
            stages.add(s);
            largest = Math.max(largest, (long) conv.outChannels() * oh * ow);
            h = oh;
            w = ow;
        }
        ping = device.allocateFloats(largest * maxBatch);
        pong = device.allocateFloats(largest * maxBatch);
        workspace = device.allocate(1);
        describe(maxBatch);
        chooseAlgorithms();
    }

    /** weight * scale[c] and bias * scale[c] + shift[c], rounded once from double. */
    static float[][] fold(AudioVisualEncoder.Layer layer) {
        float[] scale = layer.norm().scale();
        float[] shift = layer.norm().shift();
        float[] w = layer.weight().data();
        float[] b = layer.bias().data();
        int perChannel = w.length / scale.length;
        float[] fw = new float[w.length];
        float[] fb = new float[b.length];
        for (int c = 0; c < scale.length; c++) {
            for (int k = 0; k < perChannel; k++) {
                fw[c * perChannel + k] = (float) ((double) w[c * perChannel + k] * scale[c]);
            }
            fb[c] = (float) ((double) b[c] * scale[c] + shift[c]);
        }
        return new float[][] {fw, fb};
    }

    private void describe(int batch) {
        if (batch == describedBatch) {
            return;
        }
        long workspaceBytes = 1;
        for (Stage s : stages) {
            cudnnSetTensor4dDescriptor(s.inDesc(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, batch, s.conv().inChannels(),
                    s.inH(), s.inW());
            cudnnSetTensor4dDescriptor(s.outDesc(), CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, batch, s.conv().outChannels(),
                    s.outH(), s.outW());
            if (describedBatch >= 0) {
                long[] bytes = new long[1];
                cudnnGetConvolutionForwardWorkspaceSize(handle, s.inDesc(), s.filter(), s.convolution(), s.outDesc(),
                        s.algorithm()[0], bytes);
                workspaceBytes = Math.max(workspaceBytes, bytes[0]);
            }
        }
        if (workspaceBytes > workspace.sizeBytes()) {
            workspace.close();
            workspace = device.allocate(workspaceBytes);
        }
        describedBatch = batch;
    }

    /** The fastest fp32 non-tensor-op algorithm per stage at maxBatch, by cudnnFind (which runs each one). */
    private void chooseAlgorithms() {
        long workspaceBytes = 1;
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            int[] returned = new int[1];
            cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[8];
            for (int k = 0; k < perf.length; k++) {
                perf[k] = new cudnnConvolutionFwdAlgoPerf();
            }
            cudnnFindConvolutionForwardAlgorithm(handle, s.inDesc(), s.filter(), s.convolution(), s.outDesc(),
                    perf.length, returned, perf);
            int chosen = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
            for (int k = 0; k < returned[0]; k++) {
                if (perf[k].status == CUDNN_STATUS_SUCCESS && perf[k].mathType != CUDNN_TENSOR_OP_MATH) {
                    chosen = perf[k].algo;
                    break;
                }
            }
            s.algorithm()[0] = chosen;
            long[] bytes = new long[1];
            cudnnGetConvolutionForwardWorkspaceSize(handle, s.inDesc(), s.filter(), s.convolution(), s.outDesc(), chosen,
                    bytes);
            workspaceBytes = Math.max(workspaceBytes, bytes[0]);
            algorithms.add("block " + i + ": " + cudnnConvolutionFwdAlgo.stringFor(chosen));
        }
        if (workspaceBytes > workspace.sizeBytes()) {
            workspace.close();
            workspace = device.allocate(workspaceBytes);
        }
    }

    /** The algorithm chosen for each block. */
    public List<String> algorithms() {
        return List.copyOf(algorithms);
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Features per window (the encoder's {@link AudioVisualEncoder#featureDim()}, 512 for the reference). */
    public int featureDim() {
        return featureDim;
    }

    /**
     * Enqueues the encoder on the device's default stream: mel [batch, 1, 80, 16] -> features [batch, featureDim]
     * (both device buffers, NCHW). Does not wait.
     */
    public void encode(DeviceBuffer mel, DeviceBuffer features, int batch) {
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException("batch " + batch + " is outside 1.." + maxBatch);
        }
        long windowFloats = (long) AudioVisualEncoder.MEL_BANDS * AudioVisualEncoder.WINDOW_FRAMES;
        if (mel.floatCount() < batch * windowFloats || features.floatCount() < (long) batch * featureDim) {
            throw new IllegalArgumentException("AVE buffers too small for " + batch + " windows: mel holds "
                    + mel.floatCount() + " floats, features " + features.floatCount());
        }
        describe(batch);
        Pointer one = Pointer.to(new float[] {1f});
        Pointer zero = Pointer.to(new float[] {0f});
        DeviceBuffer input = mel;
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            DeviceBuffer output = i == stages.size() - 1 ? features : (input == ping ? pong : ping);
            try {
                // z = the block's input (alpha2 = 1) for residual blocks; otherwise z aliases y with alpha2 = 0
                cudnnConvolutionBiasActivationForward(handle, one, s.inDesc(), input.pointer(), s.filter(),
                        s.weight().pointer(), s.convolution(), s.algorithm()[0], workspace.pointer(), workspace.sizeBytes(),
                        s.residual() ? one : zero, s.outDesc(), s.residual() ? input.pointer() : output.pointer(),
                        s.biasDesc(), s.bias().pointer(), relu, s.outDesc(), output.pointer());
            } catch (RuntimeException e) {
                throw new IllegalStateException("cuDNN AVE block " + i + " (" + s.conv() + ", "
                        + cudnnConvolutionFwdAlgo.stringFor(s.algorithm()[0]) + ", batch " + batch + ") failed: "
                        + e.getMessage(), e);
            }
            input = output;
        }
    }

    /** Host convenience: mel [batch * 1280] -> features [batch * featureDim], waiting for the result. */
    public float[] encode(float[] mel, int batch) {
        try (DeviceBuffer in = device.upload(mel);
             DeviceBuffer out = device.allocateFloats((long) batch * featureDim)) {
            device.poison(out);
            encode(in, out, batch);
            device.synchronize();
            return device.download(out, batch * featureDim);
        }
    }

    @Override
    public void close() {
        for (Stage s : stages) {
            cudnnDestroyTensorDescriptor(s.inDesc());
            cudnnDestroyTensorDescriptor(s.outDesc());
            cudnnDestroyTensorDescriptor(s.biasDesc());
            cudnnDestroyConvolutionDescriptor(s.convolution());
            cudnnDestroyFilterDescriptor(s.filter());
            s.weight().close();
            s.bias().close();
        }
        cudnnDestroyActivationDescriptor(relu);
        cudnnDestroy(handle);
        ping.close();
        pong.close();
        workspace.close();
    }
}
