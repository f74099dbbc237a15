// The demo page: cos-js-sdk-v5 gets temporary keys from the function in getAuthorization and uploads with them.
(async function () {
  const cfg = await (await fetch('config.json')).json();
  const $ = (id) => document.getElementById(id);
  const clients = {};

  // getAuthorization for a scope, reading either reply format: sts is the credentials object itself, cam wraps
  // it in data (so the page reads data.data after parsing the body into data).
  function getAuthorization(scope, format) {
    return function (options, callback) {
      fetch(cfg.functionURL, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ scope: scope, format: format }),
      })
        .then((r) => r.json())
        .then((data) => {
          const grant = format === 'cam' ? data.data : data;
          if (!grant || !grant.credentials) {
            callback({ error: (data.error && data.error.message) || data.message || 'no credentials' });
            return;
          }
          callback({
            TmpSecretId: grant.credentials.tmpSecretId,
            TmpSecretKey: grant.credentials.tmpSecretKey,
            SecurityToken: grant.credentials.sessionToken,
            StartTime: grant.startTime,
            ExpiredTime: grant.expiredTime,
          });
        })
        .catch((e) => callback({ error: String(e) }));
    };
  }

  // One COS client per scope and format: the SDK caches keys, and keys of one scope must not serve another.
  function client(scope, format) {
    const k = scope + '/' + format;
    if (!clients[k]) {
      clients[k] = new COS({ Protocol: 'http:', Domain: cfg.cosDomain, getAuthorization: getAuthorization(scope, format) });
    }
    return clients[k];
  }

  function radios(el, name, values, label) {
    values.forEach((v, i) => {
      const id = name + '-' + v;
      el.insertAdjacentHTML('beforeend',
        `<label><input type="radio" name="${name}" id="${id}" value="${v}"${i === 0 ? ' checked' : ''}> ${label(v)}</label>`);
    });
  }
  radios($('scopes'), 'scope', cfg.scopes.map((s) => s.name), (v) => `scope <b>${v}</b>`);
  radios($('formats'), 'format', cfg.formats, (v) => `<code>${v}</code>`);
  const picked = (name) => document.querySelector(`input[name="${name}"]:checked`).value;
  const scopeOf = (name) => cfg.scopes.find((s) => s.name === name);
  const about = () => { $('about').textContent = scopeOf(picked('scope')).about; };
  document.querySelectorAll('input[name="scope"]').forEach((el) => el.addEventListener('change', about));
  about();

  function row(key, scope, size, via) {
    const tr = document.createElement('tr');
    tr.dataset.key = key;
    tr.innerHTML = `<td><code></code></td><td>${scope}</td><td>${(size / 1048576).toFixed(2)} MiB</td><td>${via}</td>` +
      '<td class="status">uploading…</td>';
    tr.querySelector('code').textContent = key;
    $('results').appendChild(tr);
    return tr;
  }

  $('upload').addEventListener('click', () => {
    const file = $('file').files[0];
    if (!file) return;
    const scope = scopeOf(picked('scope'));
    const format = picked('format');
    const cos = client(scope.name, format);
    const key = scope.prefix + file.name;
    const via = file.size > scope.sliceSize ? 'multipart' : 'putObject';
    const tr = row(key, scope.name, file.size, via);
    cos.uploadFile({ Bucket: cfg.bucket, Region: cfg.region, Key: key, Body: file, SliceSize: scope.sliceSize }, (err) => {
      const cell = tr.querySelector('.status');
      if (err) {
        tr.dataset.status = 'refused';
        cell.textContent = 'refused: ' + (err.code || err.error || err.message || 'error') + (err.statusCode ? ' (' + err.statusCode + ')' : '');
        return;
      }
      tr.dataset.status = 'uploaded';
      cell.textContent = 'uploaded';
      if (!scope.download) return;
      cos.headObject({ Bucket: cfg.bucket, Region: cfg.region, Key: key }, (err, data) => {
        if (!err) cell.textContent = 'uploaded; COS holds ' + data.headers['content-length'] + ' bytes';
      });
    });
  });
  $('upload').disabled = false;
  document.body.dataset.ready = 'true';
})();
