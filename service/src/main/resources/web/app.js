// SyncTalk live page: streams 16 kHz mono s16le speech to /api/stream over a WebSocket and plays the
// frames (JPEG) and their audio on one clock: frame k and its audio are scheduled at the same
// presentation time, so picture and sound stay in sync whatever the network does.
'use strict';
const RATE = 16000;
const params = new URLSearchParams(location.hash.slice(1) || location.search.slice(1));
const token = params.get('token');
const $ = (id) => document.getElementById(id);
const stats = { frames: 0, speechFrames: 0, shown: -1, shownSpeech: 0, ended: false, error: null, session: null };
window.synctalkStats = stats;

function api(path) { return path + (token ? (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : ''); }

async function loadModels() {
  const r = await fetch(api('api/models'));
  const models = await r.json();
  if (!r.ok) { setStatus(models.error, true); return; }
  for (const m of models) {
    const o = document.createElement('option');
    o.value = m.name; o.textContent = `${m.name} (${m.width}x${m.height}${m.portrait ? ', portrait' : ''}${m.torso ? ', torso' : ''})`;
    $('model').appendChild(o);
  }
}

function setStatus(text, error) { $('status').textContent = text; $('status').className = error ? 'error' : ''; }

let ws = null, audioCtx = null, playBase = null, queue = [], micStop = null, firstSpeechSent = null;

function open(onOpen) {
  const url = new URL(api('api/stream?model=' + encodeURIComponent($('model').value)), location.href);
  url.protocol = url.protocol.replace('http', 'ws');
  ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  audioCtx = audioCtx || new AudioContext();
  audioCtx.resume();
  playBase = null; queue = []; firstSpeechSent = null;
  Object.assign(stats, { frames: 0, speechFrames: 0, shown: -1, shownSpeech: 0, ended: false, error: null });
  ws.onmessage = (e) => typeof e.data === 'string' ? onText(JSON.parse(e.data)) : onFrame(e.data);
  ws.onopen = () => { $('stop').disabled = false; $('mic').disabled = true; onOpen(); };
  ws.onclose = () => { $('mic').disabled = false; $('stop').disabled = true; if (micStop) { micStop(); micStop = null; } };
}

function onText(msg) {
  if (msg.type === 'session') {
    stats.session = msg.id; $('session').textContent = msg.id; setStatus('streaming');
  } else if (msg.type === 'end') {
    stats.ended = true; setStatus(`ended: ${msg.frames} frames`); $('dropped').textContent = msg.dropped;
  } else if (msg.type === 'error') {
    stats.ended = true; stats.error = msg.message; setStatus(msg.message, true);
  }
}

function onFrame(buf) {
  const v = new DataView(buf);
  const index = Number(v.getBigInt64(4)), pts = Number(v.getBigInt64(12)) / 1e6, speech = v.getUint8(20) === 1;
  const jpegBytes = v.getUint32(25), samples = v.getUint32(29);
  const jpeg = new Blob([new Uint8Array(buf, 33, jpegBytes)], { type: 'image/jpeg' });
  const pcm = new Int16Array(buf.slice(33 + jpegBytes, 33 + jpegBytes + 2 * samples));
  stats.frames++; if (speech) stats.speechFrames++;
  $('frames').textContent = stats.frames; $('speechFrames').textContent = stats.speechFrames;
  if (speech && firstSpeechSent !== null && $('latency').textContent === '–') {
    $('latency').textContent = Math.round(performance.now() - firstSpeechSent) + ' ms';
  }
  // one clock for picture and sound: the first frame sets where the session's time 0 plays
  if (playBase === null) playBase = audioCtx.currentTime + 0.3 - pts;
  const at = playBase + pts;
  if (at < audioCtx.currentTime) playBase += audioCtx.currentTime - at + 0.05;  // fell behind: re-anchor
  const ab = audioCtx.createBuffer(1, samples, RATE);
  const ch = ab.getChannelData(0);
  for (let i = 0; i < samples; i++) ch[i] = pcm[i] / 32768;
  const src = audioCtx.createBufferSource();
  src.buffer = ab; src.connect(audioCtx.destination); src.start(playBase + pts);
  queue.push({ index, pts, speech, url: URL.createObjectURL(jpeg) });
}

function draw() {
  if (audioCtx && playBase !== null) {
    const now = audioCtx.currentTime - playBase;
    let frame = null;
    while (queue.length && queue[0].pts <= now) {
      if (frame) URL.revokeObjectURL(frame.url);
      frame = queue.shift();
    }
    if (frame) {
      const old = $('screen').src;
      $('screen').src = frame.url;
      if (old.startsWith('blob:')) URL.revokeObjectURL(old);
      stats.shown = frame.index; if (frame.speech) stats.shownSpeech++;
      $('showing').innerHTML = `frame ${frame.index} <span class="${frame.speech ? 'speech' : 'idle'}">${frame.speech ? 'speech' : 'idle'}</span>`;
    }
  }
  requestAnimationFrame(draw);
}

function sendPcm(float32) {
  const out = new Int16Array(float32.length);
  for (let i = 0; i < float32.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(float32[i] * 32768)));
  if (firstSpeechSent === null) firstSpeechSent = performance.now();
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(out.buffer);
}

/** Linear-interpolation resampler from the capture rate to 16 kHz (microphone only; files use OfflineAudioContext). */
function resampler(fromRate) {
  const step = fromRate / RATE; let pos = 0, last = 0;
  return (input) => {
    const out = [];
    while (pos < input.length) {
      const i = Math.floor(pos), f = pos - i;
      const a = i === 0 ? last : input[i - 1], b = input[i];
      out.push(a + (b - a) * f);
      pos += step;
    }
    pos -= input.length; last = input[input.length - 1];
    return Float32Array.from(out);
  };
}

$('mic').onclick = async () => {
  let stream;
  try { stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true } }); }
  catch (e) { setStatus('microphone: ' + e.message, true); return; }
  open(() => {
    ws.send(JSON.stringify({ type: 'start', sampleRate: RATE, format: 's16le', channels: 1 }));
    const src = audioCtx.createMediaStreamSource(stream);
    const proc = audioCtx.createScriptProcessor(2048, 1, 1);
    const resample = resampler(audioCtx.sampleRate);
    proc.onaudioprocess = (e) => sendPcm(resample(e.inputBuffer.getChannelData(0)));
    src.connect(proc); proc.connect(audioCtx.destination);
    micStop = () => { proc.disconnect(); src.disconnect(); stream.getTracks().forEach((t) => t.stop()); };
  });
};

$('file').onchange = async () => {
  const file = $('file').files[0];
  if (!file) return;
  audioCtx = audioCtx || new AudioContext();
  let decoded;
  try { decoded = await audioCtx.decodeAudioData(await file.arrayBuffer()); }
  catch (e) { setStatus(`cannot decode ${file.name}: ${e.message || e}`, true); return; }
  const offline = new OfflineAudioContext(1, Math.ceil(decoded.duration * RATE), RATE);
  const src = offline.createBufferSource(); src.buffer = decoded; src.connect(offline.destination); src.start();
  const speech = (await offline.startRendering()).getChannelData(0);
  open(() => {
    ws.send(JSON.stringify({ type: 'start', sampleRate: RATE, format: 's16le', channels: 1 }));
    for (let at = 0; at < speech.length; at += RATE / 10) sendPcm(speech.subarray(at, Math.min(speech.length, at + RATE / 10)));
    ws.send(JSON.stringify({ type: 'end' }));
  });
  $('file').value = '';
};

$('stop').onclick = () => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'end' })); if (micStop) { micStop(); micStop = null; } };

loadModels().catch((e) => setStatus('cannot list models: ' + e.message, true));
requestAnimationFrame(draw);
