/**
 * The simulator page's script (plain browser JavaScript, served as `/simulator/simulator.js`). It keeps
 * no secret: the simulator session lives on the server behind an HttpOnly cookie, the page only shows
 * what the server reports. Text goes into the page with `textContent`, never as HTML.
 */
export const SIMULATOR_SCRIPT = String.raw`'use strict';
(function () {
  var base = location.pathname.replace(/\/(link)?\/?$/, '').replace(/\/simulator$/, '') + '/simulator';
  var byId = function (id) { return document.getElementById(id); };
  var SUGGESTIONS = {
    'en-US': ["what's my name", 'is my account linked', "what's my e-mail", 'what language is my account set to', 'when did i create my account', 'tell me about my account', 'how do i unlink my account', 'open account bridge', 'help'],
    'de-DE': ['wie heiße ich', 'ist mein konto verknüpft', 'wie lautet meine E-Mail-Adresse', 'welche sprache ist eingestellt', 'wann habe ich mein konto erstellt', 'erzähl mir von meinem konto', 'wie hebe ich die verknüpfung auf', 'öffne kontobrücke', 'hilfe'],
  };
  SUGGESTIONS['en-GB'] = SUGGESTIONS['en-US'];

  function api(path, body) {
    var options = body === undefined
      ? { credentials: 'same-origin' }
      : { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
    return fetch(base + '/api/' + path, options).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) throw new Error(json.error || ('HTTP ' + response.status));
        return json;
      });
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function notice(text) { byId('notice').textContent = text || ''; }

  function timing(ms, budgetMs) {
    var over = ms > budgetMs;
    return element('span', 'timing' + (over ? ' over' : ''), ms + ' ms of Alexa\u2019s ' + budgetMs + ' ms' + (over ? ' \u2014 too slow, Alexa gives up' : ''));
  }

  function showSession(session) {
    if (!session) return;
    byId('locale').value = session.locale;
    byId('region').value = session.region;
    var steps = byId('steps');
    steps.textContent = '';
    session.steps.forEach(function (step) {
      var item = element('li', 'step ' + step.status);
      item.setAttribute('data-status', step.status);
      item.appendChild(element('span', 'mark', step.status === 'ok' ? '\u2713 ' : '\u2717 '));
      item.appendChild(element('span', 'title', step.title));
      if (step.ms !== undefined) { item.appendChild(document.createTextNode(' ')); item.appendChild(timing(step.ms, step.budgetMs)); }
      item.appendChild(element('div', 'detail', step.detail));
      steps.appendChild(item);
    });
    byId('linking').hidden = session.steps.length === 0;
    byId('refresh').hidden = !(session.linked && session.linkMode === 'code');
    byId('talk').hidden = session.steps.length === 0 || session.linkingInProgress;
    byId('link').textContent = session.linked ? 'Link again' : 'Link account';
    showSuggestions(session.locale);
  }

  function showSuggestions(locale) {
    var box = byId('suggestions');
    box.textContent = '';
    (SUGGESTIONS[locale] || SUGGESTIONS['en-US']).forEach(function (words) {
      var chip = element('button', 'chip', words);
      chip.type = 'button';
      chip.addEventListener('click', function () { byId('utterance').value = words; say(); });
      box.appendChild(chip);
    });
  }

  function showTurn(turn) {
    var item = element('li', 'turn');
    item.appendChild(element('div', 'said', 'You: \u201C' + turn.said + '\u201D'));
    var understood = turn.understood.request === 'LaunchRequest'
      ? 'Alexa heard: LaunchRequest'
      : 'Alexa heard: IntentRequest ' + turn.understood.intent + slotText(turn.understood.slots) + (turn.understood.sample ? ' (sample \u201C' + turn.understood.sample + '\u201D)' : '');
    item.appendChild(element('div', 'detail', understood));
    var speech = element('div', 'speech', turn.status === 200 ? 'Alexa: \u201C' + (turn.speech || '') + '\u201D' : 'The skill answered HTTP ' + turn.status);
    speech.setAttribute('data-role', 'speech');
    item.appendChild(speech);
    if (turn.card) {
      var card = element('div', 'card');
      card.setAttribute('data-role', 'card');
      card.appendChild(element('strong', '', (turn.card.title || turn.card.type) + ' card'));
      if (turn.card.content) card.appendChild(element('div', '', turn.card.content));
      item.appendChild(card);
    }
    var meta = element('div', 'detail');
    meta.appendChild(timing(turn.ms, turn.budgetMs));
    meta.appendChild(document.createTextNode(turn.sessionEnded ? ' \u00B7 session ended' : ' \u00B7 Alexa keeps listening' + (turn.reprompt ? ' (reprompt: \u201C' + turn.reprompt + '\u201D)' : '')));
    item.appendChild(meta);
    var details = element('details');
    details.appendChild(element('summary', '', 'JSON in and out'));
    details.appendChild(element('div', 'detail', 'Request Alexa sent (access token masked):'));
    details.appendChild(element('pre', '', JSON.stringify(turn.requestJson, null, 2)));
    details.appendChild(element('div', 'detail', 'Response from the skill:'));
    details.appendChild(element('pre', '', JSON.stringify(turn.responseJson, null, 2)));
    item.appendChild(details);
    byId('turns').insertBefore(item, byId('turns').firstChild);
  }

  function slotText(slots) {
    if (!slots) return '';
    var filled = Object.keys(slots).filter(function (name) { return slots[name]; }).map(function (name) { return name + '=' + slots[name]; });
    return filled.length ? ' {' + filled.join(', ') + '}' : '';
  }

  function say() {
    var words = byId('utterance').value.trim();
    if (!words) return;
    byId('say').disabled = true;
    api('say', { words: words }).then(function (result) { notice(''); showTurn(result.turn); }, function (error) { notice(error.message); })
      .then(function () { byId('say').disabled = false; });
  }

  /** The box to talk to the skill, scrolled to the top of the window and ready for typing. */
  function bringTalkIntoView() {
    var talk = byId('talk');
    if (talk.hidden) return;
    talk.scrollIntoView({ block: 'start' });
    byId('utterance').focus({ preventScroll: true });
  }

  /** Another language: with a session, Alexa switches at once and keeps the link; the page says so. */
  function changeLanguage(locale, hasSession) {
    showSuggestions(locale);
    if (!hasSession) return;
    api('locale', { locale: locale }).then(function (result) {
      showSession(result.session);
      notice(result.session.linked
        ? 'Alexa now speaks ' + locale + ': what you say next is understood and answered in that language. The account stays linked.'
        : 'Alexa now speaks ' + locale + '.');
    }, function (error) { notice(error.message); });
  }

  function start(settings, session) {
    var locale = byId('locale');
    settings.locales.forEach(function (tag) { locale.appendChild(new Option(tag, tag)); });
    var region = byId('region');
    settings.regions.forEach(function (r) { region.appendChild(new Option(r.label + ' (' + r.id + ')', r.id)); });
    byId('mode').textContent = 'Link mode: ' + (settings.linkMode === 'code' ? 'authorization code grant (Alexa exchanges the code and refreshes)' : 'implicit grant (the token comes in the URL fragment)') +
      (settings.demo ? '. Demo provider: sign in as ada with any password.' : '.');
    var expected = new URL(settings.publicUrl).origin;
    if (expected !== location.origin) notice('Open this page at ' + settings.publicUrl + '/simulator: linking comes back to that address (PUBLIC_URL), and the simulator\u2019s cookie must travel with it.');
    // Before any linking there is no session to switch: the choice goes with the next Link account.
    locale.addEventListener('change', function () { changeLanguage(locale.value, Boolean(session)); });
    byId('link').addEventListener('click', function () {
      byId('link').disabled = true;
      api('link', { locale: locale.value, region: region.value }).then(function (result) { location.assign(result.authorizeUrl); }, function (error) {
        notice(error.message);
        byId('link').disabled = false;
      });
    });
    byId('refresh').addEventListener('click', function () { api('refresh', {}).then(function (r) { showSession(r.session); }, function (e) { notice(e.message); }); });
    byId('say-form').addEventListener('submit', function (event) { event.preventDefault(); say(); });
    showSuggestions(locale.value);
    showSession(session);
  }

  api('session').then(function (state) {
    var landed = /\/link\/?$/.test(location.pathname) && (location.search || location.hash);
    if (!landed) return start(state.settings, state.session);
    var landing = { query: location.search, fragment: location.hash };
    // The code and the state leave the address bar (and the history) at once.
    history.replaceState(null, '', base);
    return api('landing', landing).then(function (result) {
      start(state.settings, result.session);
      if (result.session.linked) bringTalkIntoView();
    }, function (error) {
      start(state.settings, state.session);
      notice(error.message);
    });
  }, function (error) { notice('The simulator is not reachable: ' + error.message); });
})();
`;
