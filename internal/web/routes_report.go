package web

func (s *Server) reportRoutes() {}
