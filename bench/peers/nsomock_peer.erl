%% The Erlang peer of the benchmarks (bench/*.bench.ts). One `erl -noshell` process, driven by
%% lines on stdin, answering lines on stdout. It is a plain gen_tcp server speaking the same
%% handshake as the mock (PROTOCOL.md §2-§8, lenient: it echoes the client's header and answers the
%% subscription with `ok`), and a codec loop timed inside Erlang (timer:tc, no IPC in the timing).
%%
%% Server commands (to every subscribed connection):
%%   expect K            print "subscribed K" once K connections are subscribed
%%   emit_naive N        N fresh daemon notifications, one gen_tcp:send per frame (what an NSO does)
%%   emit_batch N B      N fresh daemon notifications, B frames per gen_tcp:send (the mock's policy:
%%                       it writes every frame queued in one tick as one buffer)
%%   commit N            N commit-diff handshakes: send, wait for {Th, done}, next (PROTOCOL.md §12)
%% Codec commands (time in microseconds, "us T"):
%%   load FILE           read the vectors (one hex ETF per line)
%%   enc N | dec N       N term_to_binary / binary_to_term over the loaded vectors in rotation
%%   enc1 I N | dec1 I N N operations on vector I only
%%   stream V K          K term_to_binary of stream events with V values (built before the timing)
%% Fresh input: every notification is built (term) and encoded (term_to_binary) per send, with its
%% counter in it, as the mock normalizes and encodes a fresh input object per emit.
-module(nsomock_peer).
-export([main/0]).

main() ->
    {ok, L} = gen_tcp:listen(0, [binary, {active, false}, {reuseaddr, true}, {nodelay, true}, {backlog, 4096}, {ip, {127, 0, 0, 1}}]),
    {ok, Port} = inet:port(L),
    Self = self(),
    spawn_link(fun() -> acceptor(L, Self) end),
    spawn_link(fun() -> stdin(Self) end),
    io:format("port ~p~n", [Port]),
    loop(#{subs => [], count => 0, want => -1, terms => {}, bins => {}}).

stdin(P) ->
    case io:get_line("") of
        eof -> halt(0);
        Line -> P ! {line, string:trim(Line)}, stdin(P)
    end.

acceptor(L, Parent) ->
    {ok, S} = gen_tcp:accept(L),
    P = spawn(fun() -> receive start -> conn(S, Parent) end end),
    ok = gen_tcp:controlling_process(S, P),
    P ! start,
    acceptor(L, Parent).

loop(St = #{subs := Subs, count := C, want := W}) ->
    receive
        {subscribed, P} ->
            C2 = C + 1,
            if C2 =:= W -> io:format("subscribed ~p~n", [W]); true -> ok end,
            loop(St#{subs := [P | Subs], count := C2});
        {line, Line} ->
            loop(command(string:tokens(Line, " "), St))
    end.

command(["expect", KS], St = #{count := C}) ->
    K = list_to_integer(KS),
    if C >= K -> io:format("subscribed ~p~n", [K]); true -> ok end,
    St#{want := K};
command(["emit_naive", NS], St) -> to_all({emit, list_to_integer(NS), 1}, St);
command(["emit_batch", NS, BS], St) -> to_all({emit, list_to_integer(NS), list_to_integer(BS)}, St);
command(["commit", NS], St) -> to_all({commit, list_to_integer(NS)}, St);
command(["load", File], St) ->
    {ok, Text} = file:read_file(File),
    Bins = [binary:decode_hex(H) || H <- binary:split(Text, <<"\n">>, [global, trim_all])],
    io:format("loaded ~p~n", [length(Bins)]),
    St#{bins := list_to_tuple(Bins), terms := list_to_tuple([binary_to_term(B) || B <- Bins])};
command(["enc", NS], St = #{terms := T}) -> timed(fun() -> enc_mix(list_to_integer(NS), T, tuple_size(T), 0) end), St;
command(["dec", NS], St = #{bins := B}) -> timed(fun() -> dec_mix(list_to_integer(NS), B, tuple_size(B), ok) end), St;
command(["enc1", IS, NS], St = #{terms := T}) ->
    X = element(list_to_integer(IS) + 1, T),
    timed(fun() -> enc_one(list_to_integer(NS), X, 0) end), St;
command(["dec1", IS, NS], St = #{bins := B}) ->
    X = element(list_to_integer(IS) + 1, B),
    timed(fun() -> dec_one(list_to_integer(NS), X, ok) end), St;
command(["stream", VS, KS], St) ->
    Terms = [stream_event(list_to_integer(VS), K) || K <- lists:seq(1, list_to_integer(KS))],
    timed(fun() -> lists:foldl(fun(T, A) -> A + byte_size(term_to_binary(T)) end, 0, Terms) end), St;
command(_, _) -> halt(0).

to_all(Msg, St = #{subs := Subs}) ->
    Self = self(),
    [P ! {Msg, Self} || P <- Subs],
    [receive {done, P} -> ok end || P <- Subs],
    io:format("sent~n"),
    St.

timed(F) ->
    erlang:garbage_collect(),
    {Us, _} = timer:tc(F),
    io:format("us ~p~n", [Us]).

%% Results are folded into an accumulator so the compiler cannot drop the pure BIF calls.
enc_mix(0, _, _, A) -> A;
enc_mix(N, T, S, A) -> enc_mix(N - 1, T, S, A + byte_size(term_to_binary(element(N rem S + 1, T)))).
dec_mix(0, _, _, L) -> L;
dec_mix(N, B, S, _) -> dec_mix(N - 1, B, S, binary_to_term(element(N rem S + 1, B))).
enc_one(0, _, A) -> A;
enc_one(N, T, A) -> enc_one(N - 1, T, A + byte_size(term_to_binary(T))).
dec_one(0, _, L) -> L;
dec_one(N, B, _) -> dec_one(N - 1, B, binary_to_term(B)).

%% The handshake, then the commands of the controller.
conn(S, Parent) ->
    {ok, <<_, Vsn:16, Lib:32, D, Kl>>} = gen_tcp:recv(S, 9),
    ok = gen_tcp:send(S, <<0, Vsn:16, Lib:32, D, Kl>>),
    ok = inet:setopts(S, [{packet, 4}]),
    {ok, _Subscription} = gen_tcp:recv(S, 0),
    ok = gen_tcp:send(S, term_to_binary(ok)),
    Parent ! {subscribed, self()},
    serve(S).

serve(S) ->
    receive
        {{emit, N, 1}, From} ->
            ok = inet:setopts(S, [{packet, raw}]),
            emit_naive(S, 1, N),
            From ! {done, self()},
            serve(S);
        {{emit, N, B}, From} ->
            ok = inet:setopts(S, [{packet, raw}]),
            emit_batch(S, 1, N, B, [], 0),
            From ! {done, self()},
            serve(S);
        {{commit, N}, From} ->
            ok = inet:setopts(S, [{packet, 4}]),
            commit(S, 1, N),
            From ! {done, self()},
            serve(S)
    end.

daemon(I) -> term_to_binary({2, 29, 6, <<"NCS started vsn: ", (integer_to_binary(I))/binary>>}).

emit_naive(_, I, N) when I > N -> ok;
emit_naive(S, I, N) ->
    B = daemon(I),
    ok = gen_tcp:send(S, [<<(byte_size(B)):32>>, B]),
    emit_naive(S, I + 1, N).

emit_batch(S, I, N, _, Acc, _) when I > N -> flush(S, Acc);
emit_batch(S, I, N, B, Acc, B) -> flush(S, Acc), emit_batch(S, I, N, B, [], 0);
emit_batch(S, I, N, B, Acc, K) ->
    F = daemon(I),
    emit_batch(S, I + 1, N, B, [Acc, <<(byte_size(F)):32>>, F], K + 1).

flush(_, []) -> ok;
flush(S, Acc) -> ok = gen_tcp:send(S, Acc).

%% {16, Db, UInfo, Th, Flags, Comment, Label} (the commit_diff.comment_label vector, fresh Th).
commit(_, I, N) when I > N -> ok;
commit(S, I, N) ->
    ok = gen_tcp:send(S, term_to_binary({16, 2, {42, <<"admin">>, <<>>, <<"cli">>, 2, {127, 0, 0, 1}, 53012, 1700000000, <<>>, 0},
                                         I, 0, <<"fix mtu">>, <<"change-", (integer_to_binary(I))/binary>>})),
    {ok, Ack} = gen_tcp:recv(S, 0),
    {I, done} = binary_to_term(Ack),
    commit(S, I + 1, N).

%% {524288, {{19, DateTime}, [{[Ns|Tag], Value}]}} (the stream_event.notification vector's layout).
stream_event(V, K) ->
    {524288, {{19, {2023, 11, 14, 22, 13, 20, 123456, 0, 0}},
              [{[1928374655 | 102], <<"eth", (integer_to_binary(I + K))/binary>>} || I <- lists:seq(1, V)]}}.
